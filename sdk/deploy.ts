/**
 * `myFlow.deploy({...})`, as Prefect 3's `flow.deploy()`: registers (creates
 * or updates) a deployment of the flow from code, for workers to run in their
 * own processes — the same deployment `ironflow.yaml` and `ironflow deploy`
 * make, with the flow's module as its entrypoint.
 *
 * @module
 */
import type { Json } from "../engine/mod.ts";
import type { Deployment } from "../engine/deployments/mod.ts";
import { DeploymentSpecSchema, fromApiDeployment } from "../wire/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import type { Flow } from "./flow_types.ts";
import { checkOptionNames } from "./option_names.ts";

/** One schedule of a deployment, as in `ironflow.yaml` (`cron`, `interval` or `rrule`, ...). */
export type DeployScheduleSpec = { [field: string]: Json };

/** Options of `flow.deploy()`. */
export interface DeployOptions {
  /** Deployment name. @default the flow's name */
  name?: string;
  /** The work pool whose workers run it. @default "default" */
  workPool?: string;
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

const OPTION_NAMES = [
  "name",
  "workPool",
  "schedules",
  "parameters",
  "tags",
  "description",
  "concurrencyLimit",
  "paused",
  "env",
  "entrypoint",
  "plane",
];

/** Creates or updates the deployment of `flow`; resolves with it. */
export async function deployFlow(
  flow: Flow<never[], unknown>,
  moduleUrl: string | undefined,
  options: DeployOptions = {},
): Promise<Deployment> {
  checkOptionNames(`deploy() of flow "${flow.flowName}"`, options, OPTION_NAMES);
  const entrypoint = options.entrypoint ?? await entrypointOf(flow, moduleUrl);
  if (entrypoint === undefined) {
    throw new TypeError(
      `Cannot deploy flow "${flow.flowName}": its module is unknown; pass entrypoint: "./flows/etl.ts:etl"`,
    );
  }
  const parsed = DeploymentSpecSchema.safeParse({
    name: options.name ?? flow.flowName,
    entrypoint,
    flow_name: flow.flowName,
    work_pool: options.workPool ?? "default",
    ...(options.schedules ? { schedules: options.schedules } : {}),
    ...(options.parameters ? { parameters: options.parameters } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(options.concurrencyLimit ? { concurrency_limit: options.concurrencyLimit } : {}),
    ...(options.paused !== undefined ? { paused: options.paused } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(flow.options.version ? { version: flow.options.version } : {}),
    ...(flow.options.parameters ? { parameter_schema: flow.options.parameters } : {}),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      `${issue.path.join(".") || "deployment"}: ${issue.message}`
    );
    throw new TypeError(`Cannot deploy flow "${flow.flowName}": ${problems.join("; ")}`);
  }
  const client = (options.plane ?? getControlPlane()).deployments;
  if (!client) throw new TypeError("This control plane cannot hold deployments");
  const applied = await client.apply([parsed.data], {});
  const [deployment] = [...applied.created, ...applied.updated, ...applied.unchanged];
  return fromApiDeployment(deployment!);
}

/** `<module>:<export>` of the flow: the export of its defining module that is this very flow. */
async function entrypointOf(
  flow: Flow<never[], unknown>,
  moduleUrl: string | undefined,
): Promise<string | undefined> {
  if (moduleUrl === undefined) return undefined;
  let exports: Record<string, unknown>;
  try {
    exports = await import(moduleUrl); // already loaded: it defined the flow
  } catch {
    return undefined;
  }
  const exported = Object.entries(exports).find(([, value]) => value === flow)?.[0];
  if (exported === undefined) {
    throw new TypeError(
      `Cannot deploy flow "${flow.flowName}": it is not exported by its module ${moduleUrl}; ` +
        "export it, or pass entrypoint",
    );
  }
  return `${moduleUrl}:${exported}`;
}
