/**
 * `myFlow.deploy({...})`, as Prefect 3's `flow.deploy()`: registers (creates
 * or updates) a deployment of the flow from code, for workers to run in their
 * own processes — the same deployment `ironflow.yaml` and `ironflow deploy`
 * make, with the flow's module as its entrypoint.
 *
 * @module
 */
import type { Deployment } from "../engine/deployments/mod.ts";
import { getControlPlane } from "./control_plane.ts";
import type { DeployOptions, Flow } from "./flow_types.ts";
import { checkOptionNames } from "./option_names.ts";

export type { DeployOptions, DeployScheduleSpec } from "./flow_types.ts";

const OPTION_NAMES = [
  "name",
  "workPool",
  "workQueue",
  "jobVariables",
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
  // The schemas (and zod) load here, not with the SDK (a run's process never deploys).
  const { DeploymentSpecSchema, fromApiDeployment } = await import("../wire/deployments.ts");
  const parsed = DeploymentSpecSchema.safeParse({
    name: options.name ?? flow.flowName,
    entrypoint,
    flow_name: flow.flowName,
    work_pool: options.workPool ?? "default",
    ...(options.workQueue ? { work_queue: options.workQueue } : {}),
    ...(options.jobVariables ? { job_variables: options.jobVariables } : {}),
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
