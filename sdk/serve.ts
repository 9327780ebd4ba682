/**
 * `serve()`: Prefect's `flow.serve()` — a long-running process that
 * registers deployments of flows it holds and executes their runs in this
 * process (no subprocess), reporting to the control plane. Each served
 * deployment gets its own work pool (`serve.<deployment>`), so only this
 * process claims its runs. On a local plane (no server) it also schedules
 * runs and reclaims expired leases itself.
 *
 * @module
 */
import { isTerminal, type RunRecord, systemClock, uuidv7 } from "../engine/mod.ts";
import { markLateRuns, reclaimExpiredClaims, scheduleRuns } from "../engine/deployments/mod.ts";
import type { DeploymentSpec, ScheduleSpecInput } from "../wire/deployments.ts";
import { type ControlPlane, getControlPlane, type LocalControlPlane } from "./control_plane.ts";
import type { WorkItem } from "./deployment_client.ts";
import { proposalFor } from "./run_mirror.ts";
import type { Flow } from "./flow_types.ts";
import type { FlowServeOptions, ServeHandle, ServeOptions } from "./serve_options.ts";
import { ClaimWait, engineClaimWake } from "./_claim_wake.ts";
import { checkOptionNames } from "./option_names.ts";
import { FLOW_SERVE_OPTION_NAMES, SERVE_OPTION_NAMES } from "./serve_options.ts";

export type { FlowServeOptions, ServeHandle, ServeOptions };

/** A flow with its serve options (`serve(flow.toDeployment(...))` style). */
export interface ServedFlow {
  flow: Flow<never[], unknown>;
  options?: FlowServeOptions;
}

type Servable = Flow<never[], unknown> | ServedFlow;

const PER_FLOW = Object.fromEntries(
  FLOW_SERVE_OPTION_NAMES.map((key) => [
    key,
    `it is set per flow: serve({ flow, options: { ${key} } }) or flow.serve({ ${key} })`,
  ]),
);
const PER_PROCESS = Object.fromEntries(
  SERVE_OPTION_NAMES.map((key) => [
    key,
    `it is an option of the serving process: pass it last, serve(flows..., { ${key} })`,
  ]),
);

function asServed(item: Servable): ServedFlow {
  if (typeof item === "function") return { flow: item };
  checkOptionNames("a served flow", item, ["flow", "options"]);
  const label = `serve() of flow "${item.flow?.flowName}"`;
  checkOptionNames(label, item.options ?? {}, FLOW_SERVE_OPTION_NAMES, PER_PROCESS);
  return item;
}

function scheduleOf(options: FlowServeOptions): ScheduleSpecInput[] {
  const timezone = options.timezone ?? "UTC";
  const out: ScheduleSpecInput[] = [];
  if (options.cron !== undefined) out.push({ cron: options.cron, timezone });
  if (options.interval !== undefined) out.push({ interval: options.interval, timezone });
  if (options.rrule !== undefined) out.push({ rrule: options.rrule, timezone });
  return out;
}

/** The pool a served deployment's runs go to. */
function servePool(deploymentName: string): string {
  return `serve.${deploymentName}`;
}

/**
 * Registers a deployment for each flow and executes their runs here until
 * stopped. Resolves once the deployments are registered.
 *
 * @example
 * ```ts
 * import { flow } from "./mod.ts";
 * import { serve } from "./serve.ts";
 * const hello = flow({ name: "hello" }, async (name: string) => `hi ${name}`);
 * const handle = await serve({ flow: hello, options: { cron: "@hourly", parameters: { name: "x" } } });
 * // ... later
 * await handle.stop();
 * ```
 */
export async function serve(...args: Array<Servable | ServeOptions>): Promise<ServeHandle> {
  const last = args.at(-1);
  const options: ServeOptions = last && typeof last !== "function" && !("flow" in last)
    ? args.pop() as ServeOptions
    : {};
  checkOptionNames("serve()", options, SERVE_OPTION_NAMES, PER_FLOW);
  const served = (args as Servable[]).map(asServed);
  if (served.length === 0) throw new TypeError("serve() needs at least one flow");
  const plane = options.plane ?? getControlPlane();
  const client = plane.deployments;
  if (!client) throw new TypeError("This control plane cannot serve deployments");
  const specs: DeploymentSpec[] = served.map(({ flow, options: o = {} }) => {
    const name = o.name ?? flow.flowName;
    const schema = o.parameterSchema ?? flow.options.parameters;
    return {
      name,
      entrypoint: `serve://${flow.flowName}`,
      flow_name: flow.flowName,
      work_pool: servePool(name),
      schedules: scheduleOf(o),
      ...(o.parameters ? { parameters: o.parameters } : {}),
      ...(schema ? { parameter_schema: schema } : {}),
      ...(o.tags ? { tags: o.tags } : {}),
      ...(o.description ? { description: o.description } : {}),
      ...(o.concurrencyLimit ? { concurrency_limit: o.concurrencyLimit } : {}),
      ...(o.paused !== undefined ? { paused: o.paused } : {}),
      ...(flow.options.version ? { version: flow.options.version } : {}),
    };
  });
  const applied = await client.apply(specs, {});
  const { fromApiDeployment } = await import("../wire/deployments.ts");
  const deployments = [...applied.created, ...applied.updated, ...applied.unchanged]
    .map(fromApiDeployment);
  const flows = new Map<string, Flow<never[], unknown>>();
  for (const [i, spec] of specs.entries()) flows.set(spec.name, served[i]!.flow);
  const engine = "engine" in plane ? (plane as LocalControlPlane).engine : undefined;
  const scheduling = options.schedule ?? engine !== undefined;
  const workerId = `serve-${uuidv7(systemClock.now())}`;
  const limit = options.limit ?? 10;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const log = options.log ?? (() => {});
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const active = new Set<Promise<void>>();
  const pollMs = options.pollMs ?? 1_000;
  const idle = new ClaimWait();
  const unsubscribeWake = engine ? engineClaimWake(engine)(idle.notify) : undefined;
  // Remote: the server holds the claim until a run is due (commits wake it there).
  const longPoll = engine === undefined;
  const pools = deployments.map((deployment) => servePool(deployment.name));
  let lastPass = -Infinity;

  async function execute(item: WorkItem): Promise<void> {
    const flow = flows.get(item.deployment.name);
    if (!flow) return;
    const renew = setInterval(() => {
      client!.renew(item.claim, leaseSeconds).catch(() => {});
    }, Math.max(200, (leaseSeconds * 1000) / 3));
    try {
      const args = await flow.bindParameters(item.run.parameters);
      const outcome = await flow.runWith(
        { plane, runId: item.run.id, deploymentId: item.deployment.id },
        ...(args as never[]),
      );
      log(`run ${item.run.id} of "${item.deployment.name}" ended ${outcome.state.type}`);
    } catch (error) {
      log(`run ${item.run.id} of "${item.deployment.name}" could not run: ${String(error)}`);
      await failRun(plane, item.run, error);
    } finally {
      clearInterval(renew);
      await client!.release(item.claim).catch(() => {});
    }
  }

  const done = (async () => {
    while (!controller.signal.aborted) {
      // Wake-ups claim at once; the scheduling passes keep their own pace.
      if (scheduling && engine && Date.now() - lastPass >= pollMs) {
        lastPass = Date.now();
        try {
          await reclaimExpiredClaims(engine);
          await scheduleRuns(engine);
          await markLateRuns(engine);
        } catch (error) {
          log(`scheduling failed: ${String(error)}`);
        }
      }
      let claimed = 0;
      idle.claiming();
      const room = limit - active.size;
      let items: WorkItem[] = [];
      try {
        // One claim for every served deployment: on a remote plane it waits on the
        // server until one of them has a due run.
        items = await client.claim(pools, {
          workerId,
          limit: room,
          leaseSeconds,
          ...(longPoll ? { waitMs: Math.min(pollMs, MAX_CLAIM_WAIT_MS) } : {}),
        });
      } catch (error) {
        log(`claim failed: ${String(error)}`);
        if (longPoll) await idle.wait(pollMs, controller.signal);
      }
      for (const item of items) {
        claimed += 1;
        const running: Promise<void> = execute(item).finally(() => {
          active.delete(running);
          idle.notify();
        });
        active.add(running);
      }
      if (claimed === 0 && !longPoll) await idle.wait(pollMs, controller.signal);
      else if (active.size >= limit) await Promise.race([...active]);
    }
    unsubscribeWake?.();
    await Promise.allSettled([...active]);
    await plane.flush();
  })();

  return {
    deployments,
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

/** The longest long-poll the server grants a claim. */
const MAX_CLAIM_WAIT_MS = 30_000;

/** Serves one flow: `serveFlow(hello, { cron: "@hourly" })` (what `flow.serve()` calls). */
export function serveFlow(
  flow: Flow<never[], unknown>,
  options: FlowServeOptions & ServeOptions = {},
): Promise<ServeHandle> {
  checkOptionNames(`serve() of flow "${flow.flowName}"`, options, [
    ...FLOW_SERVE_OPTION_NAMES,
    ...SERVE_OPTION_NAMES,
  ]);
  const pick = (names: readonly string[]) =>
    Object.fromEntries(Object.entries(options).filter(([key]) => names.includes(key)));
  return serve({ flow, options: pick(FLOW_SERVE_OPTION_NAMES) }, pick(SERVE_OPTION_NAMES));
}

async function failRun(plane: ControlPlane, run: RunRecord, error: unknown): Promise<void> {
  const current = await plane.getRun(run.id);
  if (!current || isTerminal(current.state)) return;
  const message = error instanceof Error ? error.message : String(error);
  await plane.propose(
    run.id,
    proposalFor(run.id, current.version, "FAILED", { kind: "fail", data: { message } }),
  );
}
