/**
 * The SDK's workloads over HTTP: flows report to a server on 127.0.0.1
 * through the remote control plane (batched creations, proposals and logs),
 * measured next to the same flows on the in-process engine in the same run.
 *
 * Run with `deno run -A bench/remote_workloads.ts` (`--quick` skips 10,000
 * and measures each size once; `--reps=N` sets the measurements per size,
 * default 3). Both planes are warmed up first (JIT, the planner's first parse,
 * the HTTP connection); then each size runs `reps` times, in-process and
 * remote taking turns, and the medians are reported: on a shared machine one
 * measurement swings too much to compare. `cpu` is the process's CPU time per
 * transition of the remote run (client and server share this process), and
 * `+µs/t` what the transport adds per transition over in-process.
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

import process from "node:process";

const quick = Deno.args.includes("--quick");
const sizes = quick ? [100, 1_000] : [100, 1_000, 10_000];
const repsArg = Deno.args.find((arg) => arg.startsWith("--reps="));
const reps = repsArg ? Number(repsArg.slice(7)) : quick ? 1 : 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(
  plane: ControlPlane,
  events: () => number,
  shape: "mapped" | "chained",
  n: number,
) {
  const flowDef = shape === "mapped" ? mappedFlow : chainedFlow;
  const before = events();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const outcome = await flowDef.runWith({ plane }, n);
  await plane.flush();
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  if (outcome.state.type !== "COMPLETED") throw new Error(`${shape} ${n}: ${outcome.state.type}`);
  const transitions = events() - before;
  return {
    perSecond: (transitions / ms) * 1000,
    cpuMicros: (cpu.user + cpu.system) / transitions,
  };
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
  for (const shape of ["mapped", "chained"] as const) {
    await timed(remote, remoteEvents, shape, shape === "mapped" ? 1_000 : 100);
    await timed(local, localEvents, shape, shape === "mapped" ? 1_000 : 100);
  }
  console.log(`median of ${reps} run${reps > 1 ? "s" : ""} per cell`);
  console.log(
    "shape    tasks   in-process t/s   remote t/s   remote / in-process   remote cpu µs/t   +µs/t",
  );
  for (const shape of ["mapped", "chained"] as const) {
    for (const n of sizes) {
      if (shape === "chained" && n > 1_000) continue;
      const inProcess: number[] = [];
      const overHttp: number[] = [];
      const cpu: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        inProcess.push((await timed(local, localEvents, shape, n)).perSecond);
        const remoteRun = await timed(remote, remoteEvents, shape, n);
        overHttp.push(remoteRun.perSecond);
        cpu.push(remoteRun.cpuMicros);
      }
      const local_ = median(inProcess);
      const remote_ = median(overHttp);
      console.log(
        [
          shape.padEnd(8),
          String(n).padStart(6),
          String(Math.round(local_)).padStart(16),
          String(Math.round(remote_)).padStart(12),
          (remote_ / local_).toFixed(2).padStart(21),
          median(cpu).toFixed(1).padStart(17),
          (1e6 / remote_ - 1e6 / local_).toFixed(1).padStart(7),
        ].join(" "),
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
