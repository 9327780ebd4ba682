/**
 * The options and handle of `serve()`, apart from its implementation so that
 * `flow.ts` can name them without loading the serving code.
 *
 * @module
 */
import type { Json } from "../engine/mod.ts";
import type { Deployment } from "../engine/deployments/mod.ts";
import type { ControlPlane } from "./control_plane.ts";

/** How one flow is served: its deployment's name, schedule and defaults. */
export interface FlowServeOptions {
  /** Deployment name. @default the flow's name */
  name?: string;
  /** A 5- or 6-field cron expression or an `@daily`-style shortcut. */
  cron?: string;
  /** Seconds between runs. */
  interval?: number;
  /** An RRule (`FREQ=...`). */
  rrule?: string;
  /** Time zone of the schedule. @default "UTC" */
  timezone?: string;
  /** Default parameters of runs, by name. */
  parameters?: { [name: string]: Json };
  /** JSON Schema of the runs' parameters. @default the flow's `parameters` option */
  parameterSchema?: { [key: string]: Json };
  tags?: string[];
  description?: string;
  /** Most runs of this deployment at once. */
  concurrencyLimit?: number;
  /** Start with the deployment paused. @default false */
  paused?: boolean;
}

/** Options of the serving process. */
export interface ServeOptions {
  /** @default the default control plane */
  plane?: ControlPlane;
  /** Runs executing at once, over all deployments. @default 10 */
  limit?: number;
  /**
   * Wait between claims when nothing is due. A run enqueued meanwhile is
   * claimed at once on a local plane (commits wake the loop) and on a remote
   * one serving one deployment (the claim long-polls for `pollMs`).
   * @default 1_000
   */
  pollMs?: number;
  /** Lease length of claims. @default 30 */
  leaseSeconds?: number;
  /** Run the scheduler here too. @default true on a local plane, false on a remote one */
  schedule?: boolean;
  signal?: AbortSignal;
  /** @default nothing */
  log?: (line: string) => void;
}

/** The names of {@linkcode FlowServeOptions}, to refuse any other. */
export const FLOW_SERVE_OPTION_NAMES = [
  "name",
  "cron",
  "interval",
  "rrule",
  "timezone",
  "parameters",
  "parameterSchema",
  "tags",
  "description",
  "concurrencyLimit",
  "paused",
] as const;

/** The names of {@linkcode ServeOptions}, to refuse any other. */
export const SERVE_OPTION_NAMES = [
  "plane",
  "limit",
  "pollMs",
  "leaseSeconds",
  "schedule",
  "signal",
  "log",
] as const;

/** A running `serve()`. */
export interface ServeHandle {
  /** The deployments this process serves. */
  readonly deployments: Deployment[];
  /** Resolves when serving stopped. */
  readonly done: Promise<void>;
  /** Stops claiming and waits for the runs in flight. */
  stop(): Promise<void>;
}
