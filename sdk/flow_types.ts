/**
 * The shape of a flow object, apart from `flow()` so that the code that runs
 * flows (serving, workers, retries, gates) can name it without importing it.
 *
 * @module
 */
import type { ControlPlane } from "./control_plane.ts";
import type { FlowOptions } from "./options.ts";
import type { FlowServeOptions, ServeHandle, ServeOptions } from "./serve_options.ts";
import type { FlowRunOutcome } from "./state.ts";
import type { Json } from "../engine/mod.ts";
import type { Deployment } from "../engine/deployments/mod.ts";

/** Options of one call of a flow. */
export interface FlowCallOptions {
  /** Control plane for this run. @default the current one */
  plane?: ControlPlane;
  /** Start from an existing SCHEDULED or PENDING flow run (deployments, retries). */
  runId?: string;
  /** Tags added to this run. */
  tags?: readonly string[];
  deploymentId?: string;
  /** Lineage and attempt for a retry of an earlier run. */
  lineage?: { lineageId: string; attempt: number };
}

/** A flow: call it to run it. */
export interface Flow<A extends unknown[], R> {
  /** Runs the flow and returns its result; throws its error. */
  (...args: A): Promise<R>;
  readonly flowName: string;
  readonly options: Readonly<FlowOptions>;
  readonly fn: (...args: A) => R | Promise<R>;
  /** Runs the flow and returns its final state and run id; never throws for a failed run. */
  run(...args: A): Promise<FlowRunOutcome<R>>;
  /** Runs with per-call options (control plane, existing run id...). */
  runWith(options: FlowCallOptions, ...args: A): Promise<FlowRunOutcome<R>>;
  /**
   * Call arguments from parameters: an array as is, an object matched by
   * parameter name and checked against the flow's `parameters` schema
   * (`InvalidParametersError` names each bad path).
   */
  bindParameters(parameters: unknown): Promise<unknown[]>;
  /** A copy of the flow with some options changed. */
  with(options: FlowOptions): Flow<A, R>;
  /**
   * Creates or updates a deployment of this flow for workers to run (Prefect's
   * `flow.deploy()`), its module as the entrypoint; resolves with it.
   */
  deploy(options?: DeployOptions): Promise<Deployment>;
  /** Registers a deployment of this flow and executes its runs in this process until stopped. */
  serve(options?: FlowServeOptions & ServeOptions): Promise<ServeHandle>;
}

/** One schedule of a deployment, as in `ironflow.yaml` (`cron`, `interval` or `rrule`, ...). */
export type DeployScheduleSpec = { [field: string]: Json };

/** Options of `flow.deploy()`. */
export interface DeployOptions {
  /** Deployment name. @default the flow's name */
  name?: string;
  /** The work pool whose workers run it. @default "default" */
  workPool?: string;
  /** The queue of the work pool its runs go to. @default "default" */
  workQueue?: string;
  /**
   * Job variables of its runs over the pool's base (`env`, `working_directory`,
   * `command_prefix`), as Prefect's `job_variables`.
   */
  jobVariables?: { [name: string]: Json };
  /** Schedules as in `ironflow.yaml`: `[{ cron: "0 * * * *", timezone: "UTC" }]`. */
  schedules?: readonly DeployScheduleSpec[];
  /** Default parameters of its runs, by name. */
  parameters?: { [name: string]: Json };
  tags?: string[];
  description?: string;
  /** Most runs of the deployment at once. */
  concurrencyLimit?: number;
  paused?: boolean;
  /** Environment variables of the run processes. */
  env?: { [name: string]: string };
  /** The flow's module as workers import it. @default the module that defined the flow */
  entrypoint?: string;
  /** @default the default control plane */
  plane?: ControlPlane;
}
