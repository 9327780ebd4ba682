/**
 * The SDK's workloads over HTTP: flows report to a server on 127.0.0.1
 * through the remote control plane (batched creations, proposals and logs),
 * measured next to the same flows on the in-process engine in the same run.
 *
 * Run with `deno run -A bench/remote_workloads.ts` (`--quick` skips 10,000).
 *
 * @module
 */
import { createEngine, createIdSource, createSqliteStore, systemClock } from "../engine/mod.ts";
import { createApp, serve } from "../server/mod.ts";
import {
  type ControlPlane,
  createRemoteControlPlane,
  createSqliteControlPlane,
} from "../sdk/mod.ts";
import { chainedFlow, mappedFlow } from "./sdk_workloads.ts";

const quick = Deno.args.includes("--quick");
const sizes = quick ? [100, 1_000] : [100, 1_000, 10_000];

async function timed(
  plane: ControlPlane,
  events: () => number,
  shape: "mapped" | "chained",
  n: number,
) {
  const flowDef = shape === "mapped" ? mappedFlow : chainedFlow;
  const before = events();
  const start = performance.now();
  const outcome = await flowDef.runWith({ plane }, n);
  await plane.flush();
  const ms = performance.now() - start;
  if (outcome.state.type !== "COMPLETED") throw new Error(`${shape} ${n}: ${outcome.state.type}`);
  const transitions = events() - before;
  return { ms, transitions, perSecond: Math.round((transitions / ms) * 1000) };
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir();
  const serverEngine = createEngine({
    store: createSqliteStore(`${dir}/server.db`),
    clock: systemClock,
    ids: createIdSource(),
  });
  const controller = new AbortController();
  const server = serve(
    createApp({ engine: serverEngine, clock: systemClock, signal: controller.signal }),
    {
      host: "127.0.0.1",
      port: 0,
      signal: controller.signal,
      onListen: () => {},
    },
  );
  const remote = createRemoteControlPlane({ url: server.url });
  const local = createSqliteControlPlane(`${dir}/local.db`);
  const remoteEvents = () => serverEngine.summary().events;
  const localEvents = () => local.engine.summary().events;
  // Warm-up: JIT, the planner's first parse, the HTTP connection.
  await timed(remote, remoteEvents, "mapped", 200);
  await timed(local, localEvents, "mapped", 200);
  console.log("shape    tasks   in-process t/s   remote t/s   remote / in-process");
  for (const shape of ["mapped", "chained"] as const) {
    for (const n of sizes) {
      if (shape === "chained" && n > 1_000) continue;
      const inProcess = await timed(local, localEvents, shape, n);
      const overHttp = await timed(remote, remoteEvents, shape, n);
      console.log(
        `${shape.padEnd(8)} ${String(n).padStart(6)}   ${
          String(inProcess.perSecond).padStart(14)
        }   ${String(overHttp.perSecond).padStart(10)}   ${
          (overHttp.perSecond / inProcess.perSecond).toFixed(2)
        }`,
      );
    }
  }
  await remote.close();
  await local.close();
  controller.abort();
  await server.finished;
  await serverEngine.close();
  await Deno.remove(dir, { recursive: true });
}
