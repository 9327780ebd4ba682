/**
 * What events and automations cost, measured next to plain API writes in the
 * same run.
 *
 * 1. Ingestion over HTTP: a server on 127.0.0.1 (SQLite file, this process)
 *    takes `POST /api/events` (one event per request), `POST
 *    /api/events/batch` (100 events per request, counted per event), webhook
 *    calls (`POST /api/webhooks/{slug}`: template + event),
 *    `PUT /api/variables/{name}` and `POST /api/deployments/{ref}/run` (a flow
 *    run created), each as N requests with C in flight. Rounds take turns
 *    (events, webhook, variable, run, events, ...) and the medians are
 *    printed, with each rate as a ratio of the variable writes.
 * 2. Automation evaluation: one services-loop pass (`evaluateAutomations`)
 *    over 1,000 new events with 0 automations, 1,000 automations none of
 *    whose triggers match, and 1,000 automations of which 20 count each
 *    event (no firing: counting is the cost), again in turns, medians.
 *
 * Run with `deno run -A bench/events_workloads.ts` (`--quick`: fewer
 * requests and rounds; `--reps=N` rounds, default 5).
 *
 * @module
 */
import {
  createEngine,
  createIdSource,
  createSqliteStore,
  type Engine,
  systemClock,
} from "../engine/mod.ts";
import { type Automation, evaluateAutomations, putAutomation } from "../engine/automations/mod.ts";
import { appendEvents } from "../engine/events/mod.ts";
import { createApp, serve } from "../server/mod.ts";

const quick = Deno.args.includes("--quick");
const repsArg = Deno.args.find((arg) => arg.startsWith("--reps="));
const reps = repsArg ? Number(repsArg.slice(7)) : quick ? 3 : 5;
const REQUESTS = quick ? 500 : 2_000;
const IN_FLIGHT = 16;
const EVENTS_PER_PASS = 1_000;
/** Events per request of the batch workload. */
const BATCH = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Requests per second of `n` calls of `request(i)`, `IN_FLIGHT` at a time. */
async function rate(n: number, request: (i: number) => Promise<Response>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < n) {
      const i = next++;
      const res = await request(i);
      await res.body?.cancel();
      if (!res.ok) throw new Error(`Request ${i} answered ${res.status}`);
    }
  }));
  return (n / (performance.now() - start)) * 1000;
}

async function ingestion(dir: string): Promise<void> {
  const engine = createEngine({
    store: createSqliteStore(`${dir}/ingest.db`),
    clock: systemClock,
    ids: createIdSource(),
  });
  const controller = new AbortController();
  const server = serve(createApp({ engine, clock: systemClock, signal: controller.signal }), {
    host: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen: () => {},
  });
  const json = { "content-type": "application/json" };
  const call = (method: string, path: string, body: unknown, token?: string) =>
    fetch(`${server.url}/api${path}`, {
      method,
      headers: token ? { ...json, authorization: `Bearer ${token}` } : json,
      body: JSON.stringify(body),
    });
  const hook = await (await call("PUT", "/webhooks/bench", {
    template: {
      event: "acme.file.{{ body.kind }}",
      resource: "acme.bucket.{{ body.bucket }}",
      payload: { name: "{{ body.name }}", size: "{{ body.size }}" },
    },
  })).json();
  const deployment = await (await call("POST", "/deployments", {
    name: "bench",
    entrypoint: "./bench.ts:bench",
  })).json();
  let round = 0;
  const workloads: Record<string, (i: number) => Promise<Response>> = {
    "POST /api/events": (i) =>
      call("POST", "/events", {
        event: "acme.file.landed",
        resource: "acme.bucket.raw",
        payload: { name: `f${round}-${i}.csv`, size: i },
      }),
    // Counted per event: request i carries events 100·i … 100·i+99.
    "POST /api/events/batch (100)": (i) =>
      call("POST", "/events/batch", {
        events: Array.from({ length: BATCH }, (_, j) => ({
          event: "acme.file.landed",
          resource: "acme.bucket.raw",
          payload: { name: `f${round}-${i}-${j}.csv`, size: j },
        })),
      }),
    "POST /api/webhooks/{slug}": (i) =>
      call("POST", "/webhooks/bench", {
        kind: "landed",
        bucket: "raw",
        name: `f${round}-${i}.csv`,
        size: i,
      }, hook.token),
    "PUT /api/variables/{name}": (i) => call("PUT", `/variables/v${round}-${i}`, { value: i }),
    "POST /api/deployments/{ref}/run": (i) =>
      call("POST", `/deployments/${deployment.id}/run`, { parameters: { i } }),
  };
  const rates = new Map<string, number[]>(Object.keys(workloads).map((name) => [name, []]));
  // Warm-up: JIT, the connection pool, SQLite's first pages.
  for (const request of Object.values(workloads)) await rate(20, request);
  for (; round < reps; round++) {
    for (const [name, request] of Object.entries(workloads)) {
      const batched = name.includes("batch");
      // Ten times the events of the other workloads, in a tenth of the requests.
      const perSecond = await rate(batched ? REQUESTS / 10 : REQUESTS, request);
      rates.get(name)!.push(batched ? perSecond * BATCH : perSecond);
    }
  }
  const base = median(rates.get("PUT /api/variables/{name}")!);
  console.log(
    `\nIngestion over HTTP (SQLite, ${REQUESTS} requests, ${IN_FLIGHT} in flight, median of ${reps} rounds)`,
  );
  console.log("write path (events or writes)       per second   ÷ variable set");
  for (const [name, values] of rates) {
    const perSecond = median(values);
    console.log(
      `${name.padEnd(33)} ${String(Math.round(perSecond)).padStart(11)} ${
        (perSecond / base).toFixed(2).padStart(16)
      }`,
    );
  }
  controller.abort();
  await server.finished;
  await engine.close();
}

function benchAutomation(i: number, match: string): Automation {
  return {
    id: `bench-${i}`,
    name: `bench-${i}`,
    description: "",
    enabled: true,
    trigger: {
      type: "event",
      posture: "reactive",
      match: [match],
      // Counts, never fires: the cost measured is the evaluation, not the actions.
      threshold: 1_000_000_000,
      withinSeconds: 3600,
    },
    actions: [{ type: "emit-event", event: "acme.alert", resource: "acme.pager" }],
    createdAt: 0,
    updatedAt: 0,
  };
}

async function evaluation(dir: string): Promise<void> {
  const setups: Array<[string, (i: number) => string | undefined]> = [
    ["0 automations", () => undefined],
    ["1,000 automations, none match", (i) => `acme.other.${i}`],
    ["1,000 automations, 20 count each event", (i) => `acme.bench.${i % 50}`],
  ];
  const engines: Array<[string, Engine]> = [];
  for (const [name, match] of setups) {
    const engine = createEngine({
      store: createSqliteStore(`${dir}/automations-${engines.length}.db`),
      clock: systemClock,
      ids: createIdSource(),
    });
    await engine.transact((tx) => {
      for (let i = 0; i < 1_000; i++) {
        const pattern = match(i);
        if (pattern) putAutomation(tx, benchAutomation(i, pattern), systemClock.now());
      }
    });
    // The first pass only places the log position: automations count what follows.
    await evaluateAutomations(engine, { now: systemClock.now() });
    engines.push([name, engine]);
  }
  const pass = async (engine: Engine, round: number) => {
    await engine.transact((tx) =>
      appendEvents(
        tx,
        Array.from({ length: EVENTS_PER_PASS }, (_, i) => ({
          event: `acme.bench.${i % 50}`,
          resource: `acme.job.${round}-${i}`,
          payload: { i },
        })),
        { now: systemClock.now() },
      )
    );
    const start = performance.now();
    const report = await evaluateAutomations(engine, {
      now: systemClock.now(),
      maxEvents: EVENTS_PER_PASS,
    });
    const ms = performance.now() - start;
    if (report.events !== EVENTS_PER_PASS || report.firings.length > 0) {
      throw new Error(`A pass read ${report.events} events and fired ${report.firings.length}`);
    }
    return ms;
  };
  const times = new Map<string, number[]>(engines.map(([name]) => [name, []]));
  for (const [, engine] of engines) await pass(engine, -1); // warm-up
  for (let round = 0; round < reps; round++) {
    for (const [name, engine] of engines) times.get(name)!.push(await pass(engine, round));
  }
  const base = median(times.get("0 automations")!);
  console.log(
    `\nAutomation evaluation: one services-loop pass over ${EVENTS_PER_PASS} events (median of ${reps})`,
  );
  console.log("automations                                ms / pass   ÷ 0 automations");
  for (const [name, values] of times) {
    const ms = median(values);
    console.log(
      `${name.padEnd(42)} ${ms.toFixed(1).padStart(9)} ${(ms / base).toFixed(1).padStart(17)}`,
    );
  }
  for (const [, engine] of engines) await engine.close();
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_events_bench_" });
  try {
    await ingestion(dir);
    await evaluation(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
