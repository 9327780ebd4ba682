/**
 * Speed across processes, against a server running as its own process
 * (`ironflow server start` on 127.0.0.1):
 *
 * - remote runs: `--runs` (default 1,000) concurrent flow runs of three chained
 *   tasks (W3) reporting over HTTP, as runs/s, next to the same runs on the
 *   in-process engine in the same run (taking turns, medians of `--reps`);
 * - trigger → first task: a deployment run created through the API until its
 *   first task run starts, executed by the server's embedded worker and by a
 *   separate `ironflow worker start`, p50 and p99 over `--samples` runs, both
 *   back to back and with the worker idle `--idle-ms` (500) before each;
 * - worker throughput: `--batch` (default 40) deployment runs of the
 *   three-task flow created at once, executed by `ironflow worker start
 *   --limit 4` (one process per run), as runs/s from the first trigger to the
 *   last run's end, median of `--reps`;
 * - run process CPU (Linux): a ready run process (`execute-run --warm`) of
 *   the three-task flow, started as a worker starts it, once it has loaded
 *   and then for its run, over `--samples` runs (from `/proc`: the process's
 *   own CPU before it takes its run, and this process's CPU of waited-for
 *   children once it exited).
 *
 * Run with `deno run -A bench/cross_process.ts [--runs=1000] [--reps=3] [--samples=20] [--batch=40]`.
 * Run one part with `--only=remote`, `--only=trigger`, `--only=embedded`, `--only=separate`,
 * `--only=throughput` or `--only=process`.
 *
 * @module
 */
import {
  type ControlPlane,
  createRemoteControlPlane,
  createSqliteControlPlane,
} from "../sdk/mod.ts";
import { three } from "./flows/three_tasks.ts";

const arg = (name: string, fallback: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const runs = Number(arg("runs", "1000"));
const reps = Number(arg("reps", "3"));
const samples = Number(arg("samples", "20"));
const only = arg("only", "");
const batch = Number(arg("batch", "40"));
const idleMs = Number(arg("idle-ms", "500"));
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const FLOWS = new URL("./flows/", import.meta.url).pathname;

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

interface Proc {
  url: string;
  stop(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function spawn(args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

async function startServer(home: string, worker: boolean): Promise<Proc> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    ["server", "start", "--port", String(port), "--home", home, ...(worker ? [] : ["--no-worker"])],
    { IRONFLOW_HOME: home },
  );
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${url}/health`).then((r) => (r.body?.cancel(), r.ok), () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

async function api<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}/api${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) {
    throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  }
  return await response.json() as T;
}

async function concurrentRuns(plane: ControlPlane): Promise<number> {
  const start = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: runs }, (_, i) => three.runWith({ plane }, i)),
  );
  await plane.flush();
  const ms = performance.now() - start;
  const failed = outcomes.filter((o) => o.state.type !== "COMPLETED").length;
  if (failed > 0) throw new Error(`${failed} of ${runs} runs did not complete`);
  return runs / ms * 1000;
}

async function remoteRuns(dir: string): Promise<void> {
  const server = await startServer(`${dir}/remote`, false);
  const remote = createRemoteControlPlane({ url: server.url });
  const local = createSqliteControlPlane(`${dir}/local.db`);
  try {
    await concurrentRuns(remote); // warm-up: JIT, connections
    await concurrentRuns(local);
    const overHttp: number[] = [];
    const inProcess: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      inProcess.push(await concurrentRuns(local));
      overHttp.push(await concurrentRuns(remote));
    }
    const r = median(overHttp);
    const l = median(inProcess);
    console.log(`${runs} concurrent W3 runs, median of ${reps}`);
    console.log(`  in-process  ${l.toFixed(0).padStart(6)} runs/s`);
    console.log(
      `  remote      ${r.toFixed(0).padStart(6)} runs/s   remote / in-process ${
        (r / l).toFixed(2)
      }`,
    );
  } finally {
    await remote.close();
    await local.close();
    await server.stop();
  }
}

interface ApiRunLike {
  id: string;
  state: string;
  start_time: string | null;
}

// From the trigger (client clock) to the first task run's start (server clock: same machine).
async function triggerToFirstTask(url: string, deployment: string): Promise<number> {
  const t0 = Date.now();
  const run = await api<ApiRunLike>(url, "POST", `/deployments/${deployment}/run`, {});
  for (let i = 0; i < 3000; i++) {
    const tasks = await api<{ items: ApiRunLike[] }>(url, "GET", `/flow-runs/${run.id}/task-runs`);
    const started = tasks.items.map((t) => t.start_time).filter((s) => s !== null);
    if (started.length > 0) {
      const first = Math.min(...started.map((s) => Date.parse(s!)));
      // Let the run finish before the next sample.
      for (let j = 0; j < 3000; j++) {
        const done = await api<ApiRunLike>(url, "GET", `/runs/${run.id}`);
        if (["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(done.state)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return first - t0;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`run ${run.id} never started a task`);
}

async function triggerLatency(dir: string, mode: "embedded" | "separate"): Promise<void> {
  const home = `${dir}/${mode}`;
  const server = await startServer(home, mode === "embedded");
  let worker: Deno.ChildProcess | undefined;
  try {
    await api(server.url, "POST", "/deployments", {
      name: "three",
      entrypoint: "./three_tasks.ts:three",
      working_directory: FLOWS,
    });
    if (mode === "separate") {
      worker = spawn(["worker", "start"], { IRONFLOW_API_URL: server.url, IRONFLOW_HOME: home });
    }
    await triggerToFirstTask(server.url, "three"); // warm-up: module cache, worker registered
    // Back to back (each trigger as soon as the run before ended), and on a
    // worker idle for `--idle-ms` (as a user triggering a deployment meets it).
    for (const pause of [0, idleMs]) {
      const ms: number[] = [];
      for (let i = 0; i < samples; i++) {
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
        ms.push(await triggerToFirstTask(server.url, "three"));
      }
      console.log(
        `trigger → first task, ${mode.padEnd(8)} worker, ${
          pause > 0 ? `idle ${pause} ms before` : "back to back"
        }: p50 ${median(ms).toFixed(0)} ms, p99 ${
          quantile(ms, 0.99).toFixed(0)
        } ms (${samples} runs)`,
      );
    }
  } finally {
    worker?.kill("SIGTERM");
    await worker?.status;
    await server.stop();
  }
}

// `batch` deployment runs at once through a separate worker with --limit 4.
async function workerThroughput(dir: string): Promise<void> {
  const home = `${dir}/throughput`;
  const server = await startServer(home, false);
  const worker = spawn(["worker", "start", "--limit", "4"], {
    IRONFLOW_API_URL: server.url,
    IRONFLOW_HOME: home,
  });
  try {
    await api(server.url, "POST", "/deployments", {
      name: "three",
      entrypoint: "./three_tasks.ts:three",
      working_directory: FLOWS,
    });
    await triggerToFirstTask(server.url, "three"); // warm-up: module cache, worker registered
    const rates: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const t0 = Date.now();
      const created = await Promise.all(
        Array.from(
          { length: batch },
          () => api<ApiRunLike>(server.url, "POST", "/deployments/three/run", {}),
        ),
      );
      const ids = new Set(created.map((run) => run.id));
      while (true) {
        const page = await api<{ items: ApiRunLike[] }>(
          server.url,
          "GET",
          "/deployments/three/runs?limit=500&state=COMPLETED,FAILED,CRASHED",
        );
        if (page.items.filter((run) => ids.has(run.id)).length === ids.size) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      rates.push(batch / ((Date.now() - t0) / 1000));
    }
    console.log(
      `worker --limit 4, ${batch} deployment runs at once: ${median(rates).toFixed(1)} runs/s ` +
        `(median of ${reps})`,
    );
  } finally {
    worker.kill("SIGTERM");
    await worker.status;
    await server.stop();
  }
}

// CPU milliseconds from a /proc/<pid>/stat line: utime + stime (own) and cutime + cstime (waited children).
function cpuOf(stat: string): { own: number; children: number } {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  // Fields 14–17 of stat(5), counted from the state field (3rd) here; clock ticks of 10 ms.
  return { own: (fields[11]! + fields[12]!) * 10, children: (fields[13]! + fields[14]!) * 10 };
}

// A ready run process as a worker starts it: its CPU once loaded, then for its run.
async function runProcessCpu(dir: string): Promise<void> {
  if (Deno.build.os !== "linux") {
    console.log("run process CPU: needs /proc (Linux)");
    return;
  }
  const home = `${dir}/process`;
  const server = await startServer(home, false);
  const plans = await Deno.makeTempDir({ dir });
  try {
    await api(server.url, "POST", "/deployments", {
      name: "three",
      entrypoint: "./three_tasks.ts:three",
      working_directory: FLOWS,
    });
    const loading: number[] = [];
    const running: number[] = [];
    for (let i = 0; i <= samples; i++) {
      const run = await api<ApiRunLike>(server.url, "POST", "/deployments/three/run", {});
      const before = cpuOf(await Deno.readTextFile("/proc/self/stat")).children;
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MAIN, "execute-run", "--warm"],
        cwd: FLOWS,
        // What a worker gives its run processes besides the run (see sdk/process_worker.ts).
        env: {
          IRONFLOW_API_URL: server.url,
          IRONFLOW_HOME: home,
          IRONFLOW_PLAN_CACHE: plans,
          DENO_UNSTABLE_LAZY_DYNAMIC_IMPORTS: "1",
        },
        stdin: "piped",
        stdout: "null",
        stderr: "inherit",
      }).spawn();
      // Loaded once its CPU stops growing (it then waits on stdin).
      let loaded = -1;
      for (let j = 0; j < 100; j++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = cpuOf(await Deno.readTextFile(`/proc/${child.pid}/stat`)).own;
        if (now === loaded) break;
        loaded = now;
      }
      const writer = child.stdin.getWriter();
      await writer.write(
        new TextEncoder().encode(
          `${JSON.stringify({ runId: run.id, entrypoint: "./three_tasks.ts:three" })}\n`,
        ),
      );
      await writer.close();
      const status = await child.status;
      if (!status.success) throw new Error(`run process exited with ${status.code}`);
      const total = cpuOf(await Deno.readTextFile("/proc/self/stat")).children - before;
      // The first run plans the flow; the others read the plan cache, as a worker's do.
      if (i === 0) continue;
      loading.push(loaded);
      running.push(total - loaded);
    }
    console.log(
      `run process CPU, three-task flow: loading ${median(loading)} ms, its run ${
        median(running)
      } ms (medians of ${samples}; 10 ms ticks)`,
    );
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_cross_process_" });
  try {
    if (only === "" || only === "remote") await remoteRuns(dir);
    const trigger = only === "" || only === "trigger";
    if (trigger || only === "embedded") await triggerLatency(dir, "embedded");
    if (trigger || only === "separate") await triggerLatency(dir, "separate");
    if (only === "" || only === "throughput") await workerThroughput(dir);
    if (only === "" || only === "process") await runProcessCpu(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
