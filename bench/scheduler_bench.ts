// Over 500 lines: one benchmark file per workload family, each case next to the setup it measures.
/**
 * Scheduler benchmark (issue 7): 10,000 deployments with minutely cron
 * schedules on a SQLite store in a temporary folder.
 *
 * - due → created: with a zero horizon nothing is created ahead, so every
 *   tick at a fake `now` just past a minute boundary must create the runs of
 *   that slot for all deployments; the time `scheduleRuns` takes is the worst
 *   due → SCHEDULED latency of the slot (a run of the last deployment
 *   scheduled waits the whole pass). "committed" is when the engine's batch
 *   of runs committed; the pass ends when they are also queued for workers.
 *   Also a pass with nothing due, the full services tick (schedule, reclaim,
 *   late marking, stale workers) and their CPU time.
 * - claim throughput: 8 claimers (async, one engine each, on one SQLite file)
 *   draining the queue of due runs, claims per second.
 *
 * Everything is reported against a baseline measured in the same run: a raw
 * batched insert (one transaction, `node:sqlite`) of 10,000 flow runs and
 * their creation events on the engine's schema.
 *
 * Usage: `deno run -A bench/scheduler_bench.ts [--deployments 10000] [--ticks 3]`
 *
 * Measured on a shared 2-core machine (Deno 2.9.6, 10,000 deployments, 3 ticks;
 * wall times are noisy there, CPU times and ratios less so): a due pass costs
 * ~650 ms of CPU, ~5x the baseline insert (~130 ms), and takes 0.7-1.1 s of
 * wall time, so p99 ≤ 1 s holds only without contention. Before: ~1.9 s of
 * CPU, 14x. About half of a pass is the engine creating the runs (run row,
 * creation event, the idempotency read of each caller-chosen id); the rest
 * is reading deployments and cursors, planning (~170 ms) and one transaction
 * of queue entries and cursors (~100 ms). A pass with nothing due costs
 * ~110 ms. Slot times are shared by deployments with the same schedule: with
 * 10,000 different crons a due pass costs one croner evaluation more per
 * deployment. Cron in UTC (and fixed-offset zones) is evaluated with croner's
 * `utcOffset`, not `timezone`: ~4 µs a call instead of ~48 µs (0.09x, the
 * two croner rows), so 10,000 evaluations cost ~76 ms instead of ~470 ms and
 * a due pass with 10,000 different crons ~1.4x the CPU of the shared-cron
 * pass instead of ~2.5x (~1.0 s instead of ~1.5 s).
 *
 * The services tick over a backlog: 10,000 deployments with the default
 * 1-hour horizon and 10 runs ahead keep 100,000 runs SCHEDULED. Late marking
 * and the orphan requeue read only SCHEDULED runs due within 15 s (one index
 * range) and queue entries up to then, so a tick with nothing due costs
 * ~0.12-0.22 s of CPU, about an idle scheduling pass (0.8-1.5x the baseline;
 * before: ~2.2-2.4 s, 15-18x, paging through all 100,000 runs and the whole
 * queue); the tick that marks a slot of 10,000 runs late and creates the
 * next costs ~1.2-1.7 s of CPU (before: ~3.1-4.2 s). The "full services
 * tick" rows run with nothing claimed, so every SCHEDULED run there is due
 * and read each tick (5 ticks: 15x → 13x the baseline in CPU).
 * Progress goes to stderr.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import {
  createEngine,
  createIdSource,
  createSqliteStore,
  type Engine,
  FakeClock,
} from "../engine/mod.ts";
import { claimRuns, DeploymentService, scheduleRuns } from "../engine/deployments/mod.ts";
import { nextRuns } from "../engine/schedules/mod.ts";
import { Cron } from "npm:croner@^11.0.1";
import { createScheduler } from "../server/services/services_loop.ts";
import { openRawSqlite } from "./sqlite_ceiling.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    deployments: { type: "string", default: "10000" },
    ticks: { type: "string", default: "3" },
    claimers: { type: "string", default: "8" },
  },
});
const N = Number(values.deployments);
const TICKS = Number(values.ticks);
const CLAIMERS = Number(values.claimers);
const MINUTE = 60_000;
/** A minute boundary (14 Nov 2023 22:13 UTC). */
const T0 = Math.floor(1_700_000_000_000 / MINUTE) * MINUTE;

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at]!;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const fmt = (ms: number) => ms.toFixed(1);
const progress = (line: string) => console.error(`[scheduler bench] ${line}`);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * `count` different cron expressions that all fire every minute of
 * 14 Nov 2023 22:00-23:59 UTC (around T0): hour, day and month ranges that
 * hold that time.
 */
function distinctMinutelyCrons(count: number): string[] {
  const out: string[] = [];
  for (let m1 = 11; m1 >= 1 && out.length < count; m1--) {
    for (const m2 of [11, 12]) {
      for (let d1 = 14; d1 >= 1; d1--) {
        for (let d2 = 14; d2 <= 30; d2++) {
          for (let h1 = 22; h1 >= 0; h1--) {
            for (const h2 of [23, 22]) {
              if (out.length === count) return out;
              out.push(`* ${h1}-${h2} ${d1}-${d2} ${m1}-${m2} *`);
            }
          }
        }
      }
    }
  }
  if (out.length < count) throw new RangeError(`Cannot make ${count} different crons`);
  return out;
}

/** An engine on a new SQLite file with `count` deployments, the i-th on `cronOf(i)`. */
async function openWithDeployments(
  path: string,
  clock: FakeClock,
  count: number,
  cronOf: (i: number) => string,
): Promise<Engine> {
  const engine = createEngine({
    store: createSqliteStore(path, { busyTimeoutMs: 60_000 }),
    clock,
    ids: createIdSource(),
  });
  const deployments = new DeploymentService(engine);
  const created: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    created.push(deployments.create({
      name: `cron-${i}`,
      entrypoint: "./flows.ts:noop",
      schedules: [{
        kind: "cron",
        cron: cronOf(i),
        timezone: "UTC",
        active: true,
        catchup: "skip",
      }],
    }));
  }
  await Promise.all(created);
  return engine;
}

/** Microseconds per `nextRuns(1)` of one croner `Cron` built with `options`. */
function cronerCallMicros(options: { timezone: string } | { utcOffset: number }): number {
  const cron = new Cron("* * * * *", { ...options, paused: true });
  const calls = 5_000;
  for (let i = 0; i < 500; i++) cron.nextRuns(1, new Date(T0 + i * MINUTE));
  const start = performance.now();
  for (let i = 0; i < calls; i++) cron.nextRuns(1, new Date(T0 + i * MINUTE));
  return ((performance.now() - start) * 1000) / calls;
}

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_scheduler_bench_" });
  const engines: Engine[] = [];
  try {
    // Baseline: one batched transaction inserting N runs and their events.
    let baselineMs: number;
    {
      using raw = openRawSqlite(`${dir}/baseline.db`);
      raw.seed(100); // warm the statements
      const start = performance.now();
      raw.seed(N);
      baselineMs = performance.now() - start;
    }

    const path = `${dir}/ironflow.db`;
    const clock = new FakeClock(T0 - 30_000);
    const engine = createEngine({
      store: createSqliteStore(path, { busyTimeoutMs: 60_000 }),
      clock,
      ids: createIdSource(),
    });
    engines.push(engine);
    const deployments = new DeploymentService(engine);
    const setupStart = performance.now();
    const created: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      created.push(deployments.create({
        name: `cron-${i}`,
        entrypoint: "./flows.ts:noop",
        schedules: [{
          kind: "cron",
          cron: "* * * * *",
          timezone: "UTC",
          active: true,
          catchup: "skip",
        }],
      }));
    }
    await Promise.all(created);
    const setupMs = performance.now() - setupStart;
    progress(`created ${N} deployments in ${fmt(setupMs)} ms`);
    const options = {
      engine,
      clock,
      horizonMs: 0,
      maxAhead: 1,
      lateAfterMs: 10 * MINUTE,
      onError: (_d: unknown, e: unknown) => {
        throw e;
      },
    };
    // Prime the schedule cursors (a restart's first pass) before the first due slot.
    const primeStart = performance.now();
    await scheduleRuns(engine, { ...options, now: clock.now() });
    progress(`primed the schedule cursors in ${fmt(performance.now() - primeStart)} ms`);

    // due → created: scheduleRuns alone, one slot of N runs per tick.
    // The runs exist once the engine's batch committed (its events are delivered
    // then); the pass ends after they are also queued for workers.
    const scheduleSamples: number[] = [];
    const committedSamples: number[] = [];
    const scheduleCpu: number[] = [];
    let lastEventAt = 0;
    const unsubscribe = engine.subscribe(() => {
      lastEventAt = performance.now();
    });
    for (let t = 0; t < TICKS; t++) {
      clock.set(T0 + t * MINUTE + 1);
      const cpu = cpuMs();
      const start = performance.now();
      const report = await scheduleRuns(engine, { ...options, now: clock.now() });
      scheduleSamples.push(performance.now() - start);
      committedSamples.push(lastEventAt - start);
      scheduleCpu.push(cpuMs() - cpu);
      progress(`scheduleRuns tick ${t + 1}/${TICKS}: ${fmt(scheduleSamples.at(-1)!)} ms`);
      if (report.created.length !== N) {
        throw new Error(`tick ${t} created ${report.created.length} runs, expected ${N}`);
      }
    }
    unsubscribe();

    // A pass between slots (the services loop ticks every 5 s: 11 of 12 find nothing due).
    const idleSamples: number[] = [];
    const idleCpu: number[] = [];
    for (let t = 0; t < TICKS; t++) {
      clock.set(T0 + (TICKS - 1) * MINUTE + 5_000 * (t + 1));
      const cpu = cpuMs();
      const start = performance.now();
      const report = await scheduleRuns(engine, { ...options, now: clock.now() });
      idleSamples.push(performance.now() - start);
      idleCpu.push(cpuMs() - cpu);
      if (report.created.length !== 0) {
        throw new Error(`idle pass created ${report.created.length}`);
      }
    }
    progress(`idle scheduleRuns passes: ${idleSamples.map(fmt).join(", ")} ms`);

    // What the passes save by sharing slot times: one cron evaluation per
    // deployment, the cost a pass adds when no two deployments share a cron.
    const spec = { kind: "cron", cron: "* * * * *", timezone: "UTC" } as const;
    const cronStart = performance.now();
    for (let i = 0; i < N; i++) nextRuns(spec, T0 + i * MINUTE, 1);
    const cronMs = performance.now() - cronStart;

    // The full services tick (schedule, reclaim, late marking, stale workers).
    const scheduler = createScheduler({ ...options, holder: "bench" });
    const tickSamples: number[] = [];
    const tickCpu: number[] = [];
    for (let t = TICKS; t < 2 * TICKS; t++) {
      clock.set(T0 + t * MINUTE + 1);
      const cpu = cpuMs();
      const start = performance.now();
      const report = await scheduler.tick();
      tickSamples.push(performance.now() - start);
      tickCpu.push(cpuMs() - cpu);
      progress(`services tick ${t + 1 - TICKS}/${TICKS}: ${fmt(tickSamples.at(-1)!)} ms`);
      if (report.created.length !== N) {
        throw new Error(`tick ${t} created ${report.created.length} runs, expected ${N}`);
      }
    }
    const totalRuns = 2 * TICKS * N;

    // Services ticks over a SCHEDULED backlog: the default 1-hour horizon and
    // 10 runs ahead keep 10 runs per deployment SCHEDULED. A tick with nothing
    // due should cost what is due (nothing), not what is ahead.
    const backlogClock = new FakeClock(T0 - 30_000);
    const backlog = await openWithDeployments(
      `${dir}/backlog.db`,
      backlogClock,
      N,
      () => "* * * * *",
    );
    engines.push(backlog);
    const backlogScheduler = createScheduler({
      engine: backlog,
      clock: backlogClock,
      holder: "bench",
      horizonMs: 3_600_000,
      maxAhead: 10,
      lateAfterMs: 15_000,
    });
    const fillStart = performance.now();
    const filled = await backlogScheduler.tick();
    const scheduledBacklog = backlog.reader.countRuns({ kind: "flow", states: ["SCHEDULED"] })
      .SCHEDULED ?? 0;
    progress(
      `backlog: ${filled.created.length} runs ahead (${scheduledBacklog} SCHEDULED) in ${
        fmt(performance.now() - fillStart)
      } ms`,
    );
    const backlogSamples: number[] = [];
    const backlogCpu: number[] = [];
    for (let t = 0; t < TICKS; t++) {
      backlogClock.set(T0 - 25_000 + t * 5_000);
      const cpu = cpuMs();
      const start = performance.now();
      const report = await backlogScheduler.tick();
      backlogSamples.push(performance.now() - start);
      backlogCpu.push(cpuMs() - cpu);
      if (report.created.length !== 0 || report.late.length !== 0) {
        throw new Error(
          `backlog tick created ${report.created.length}, late ${report.late.length}`,
        );
      }
    }
    progress(`backlog ticks (nothing due): ${backlogSamples.map(fmt).join(", ")} ms`);
    // T0's slot (N runs) is now due and late; the next slot ahead is created.
    backlogClock.set(T0 + 20_000);
    const lateCpuStart = cpuMs();
    const lateStart = performance.now();
    const lateReport = await backlogScheduler.tick();
    const lateTickMs = performance.now() - lateStart;
    const lateTickCpu = cpuMs() - lateCpuStart;
    if (lateReport.late.length !== N) {
      throw new Error(`late tick marked ${lateReport.late.length}, expected ${N}`);
    }
    progress(`backlog tick marking ${N} late: ${fmt(lateTickMs)} ms`);

    // A due pass where no two deployments share a cron: one croner
    // evaluation per deployment that no memo saves.
    const crons = distinctMinutelyCrons(N);
    const cronClock = new FakeClock(T0 - 30_000);
    const distinct = await openWithDeployments(`${dir}/crons.db`, cronClock, N, (i) => crons[i]!);
    engines.push(distinct);
    await scheduleRuns(distinct, { ...options, now: cronClock.now() });
    const distinctSamples: number[] = [];
    const distinctCpu: number[] = [];
    for (let t = 0; t < TICKS; t++) {
      cronClock.set(T0 + t * MINUTE + 1);
      const cpu = cpuMs();
      const start = performance.now();
      const report = await scheduleRuns(distinct, { ...options, now: cronClock.now() });
      distinctSamples.push(performance.now() - start);
      distinctCpu.push(cpuMs() - cpu);
      if (report.created.length !== N) {
        throw new Error(`distinct crons tick created ${report.created.length}, expected ${N}`);
      }
    }
    progress(`scheduleRuns, ${N} different crons: ${distinctSamples.map(fmt).join(", ")} ms`);
    const cronerTimezoneUs = cronerCallMicros({ timezone: "UTC" });
    const cronerOffsetUs = cronerCallMicros({ utcOffset: 0 });

    // Claim throughput: CLAIMERS engines on the same file, each claiming one at a time.
    const claimEngines = Array.from({ length: CLAIMERS }, () => {
      const e = createEngine({
        store: createSqliteStore(path, { busyTimeoutMs: 60_000 }),
        clock,
        ids: createIdSource(),
      });
      engines.push(e);
      return e;
    });
    const claimBudget = Math.min(totalRuns, 4_000);
    let claimed = 0;
    const claimStart = performance.now();
    const claimCpu = cpuMs();
    await Promise.all(claimEngines.map(async (e, i) => {
      while (claimed < claimBudget) {
        const won = await claimRuns(e, "default", { workerId: `w${i}`, limit: 1 });
        if (won.length === 0) break;
        claimed += won.length;
        await Promise.resolve();
      }
    }));
    const claimMs = performance.now() - claimStart;
    const claimCpuMs = cpuMs() - claimCpu;
    const claimsPerSecond = claimed / (claimMs / 1000);
    const baselineRowsPerSecond = N / (baselineMs / 1000);

    const p50 = percentile(scheduleSamples, 50);
    const p99 = percentile(scheduleSamples, 99);
    const rows: Array<[string, string, string]> = [
      [`baseline: raw batched insert of ${N} runs`, `${fmt(baselineMs)} ms`, "1.0x"],
      [
        `setup: create ${N} deployments`,
        `${fmt(setupMs)} ms`,
        `${(setupMs / baselineMs).toFixed(1)}x`,
      ],
      [
        `due → created and queued, scheduleRuns p50 (${TICKS} ticks)`,
        `${fmt(p50)} ms`,
        `${(p50 / baselineMs).toFixed(1)}x`,
      ],
      [
        `due → created and queued, scheduleRuns p99`,
        `${fmt(p99)} ms`,
        `${(p99 / baselineMs).toFixed(1)}x`,
      ],
      [
        `due → committed (runs exist, not yet queued) p99`,
        `${fmt(percentile(committedSamples, 99))} ms`,
        `${(percentile(committedSamples, 99) / baselineMs).toFixed(1)}x`,
      ],
      [
        "scheduleRuns CPU per tick (mean)",
        `${fmt(scheduleCpu.reduce((a, b) => a + b, 0) / TICKS)} ms`,
        `${(scheduleCpu.reduce((a, b) => a + b, 0) / TICKS / baselineMs).toFixed(1)}x`,
      ],
      [
        `idle scheduleRuns pass p50 (nothing due)`,
        `${fmt(percentile(idleSamples, 50))} ms`,
        `${(percentile(idleSamples, 50) / baselineMs).toFixed(1)}x`,
      ],
      [
        "idle pass CPU (mean)",
        `${fmt(idleCpu.reduce((a, b) => a + b, 0) / TICKS)} ms`,
        `${(idleCpu.reduce((a, b) => a + b, 0) / TICKS / baselineMs).toFixed(1)}x`,
      ],
      [
        `croner: ${N} nextRuns calls of one UTC cron (what shared slot times save)`,
        `${fmt(cronMs)} ms`,
        `${(cronMs / baselineMs).toFixed(1)}x`,
      ],
      [
        `full services tick p50 (${TICKS} ticks)`,
        `${fmt(percentile(tickSamples, 50))} ms`,
        `${(percentile(tickSamples, 50) / baselineMs).toFixed(1)}x`,
      ],
      [
        "full services tick p99",
        `${fmt(percentile(tickSamples, 99))} ms`,
        `${(percentile(tickSamples, 99) / baselineMs).toFixed(1)}x`,
      ],
      [
        "full tick CPU per tick (mean)",
        `${fmt(tickCpu.reduce((a, b) => a + b, 0) / TICKS)} ms`,
        `${(tickCpu.reduce((a, b) => a + b, 0) / TICKS / baselineMs).toFixed(1)}x`,
      ],
      [
        `services tick, ${scheduledBacklog} SCHEDULED ahead, nothing due p50`,
        `${fmt(percentile(backlogSamples, 50))} ms`,
        `${(percentile(backlogSamples, 50) / baselineMs).toFixed(2)}x`,
      ],
      [
        "  its CPU per tick (mean)",
        `${fmt(mean(backlogCpu))} ms`,
        `${(mean(backlogCpu) / baselineMs).toFixed(2)}x`,
      ],
      [
        `services tick over that backlog: ${N} late + ${N} created`,
        `${fmt(lateTickMs)} ms`,
        `${(lateTickMs / baselineMs).toFixed(1)}x (CPU ${fmt(lateTickCpu)} ms)`,
      ],
      [
        `due → created, ${N} different crons, scheduleRuns p50`,
        `${fmt(percentile(distinctSamples, 50))} ms`,
        `${(percentile(distinctSamples, 50) / baselineMs).toFixed(1)}x`,
      ],
      [
        "  its CPU per tick (mean)",
        `${fmt(mean(distinctCpu))} ms`,
        `${(mean(distinctCpu) / baselineMs).toFixed(1)}x; shared cron: ${
          (mean(distinctCpu) / mean(scheduleCpu)).toFixed(2)
        }x of its CPU`,
      ],
      [
        'croner nextRuns(1), timezone "UTC"',
        `${cronerTimezoneUs.toFixed(2)} µs`,
        "1.0x",
      ],
      [
        "croner nextRuns(1), utcOffset 0",
        `${cronerOffsetUs.toFixed(2)} µs`,
        `${(cronerOffsetUs / cronerTimezoneUs).toFixed(3)}x of timezone "UTC"`,
      ],
      [
        `claims/s, ${CLAIMERS} claimers (${claimed} claims)`,
        `${claimsPerSecond.toFixed(0)}/s`,
        `${(claimsPerSecond / baselineRowsPerSecond).toFixed(3)}x of baseline rows/s`,
      ],
      [
        "scheduleRuns p50 per deployment",
        `${(p50 / N).toFixed(2)} ms`,
        `→ ${fmt((p50 / N) * 10_000 / 1000)} s per tick at 10,000`,
      ],
      ["claim CPU per claim", `${(claimCpuMs / Math.max(1, claimed)).toFixed(2)} ms`, ""],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.log(
      `Scheduler bench: ${N} deployments, cron "* * * * *", SQLite, Deno ${Deno.version.deno}`,
    );
    console.log(`${"measure".padEnd(w0)}  ${"value".padStart(w1)}  vs baseline`);
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
    console.log(
      `target due → created p99 ≤ 1000 ms: ${p99 <= 1000 ? "met" : "NOT met"} (${fmt(p99)} ms)`,
    );
    console.log(`scheduleRuns samples (ms): ${scheduleSamples.map(fmt).join(", ")}`);
    console.log(`full tick samples (ms): ${tickSamples.map(fmt).join(", ")}`);
  } finally {
    for (const e of engines) await e.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
