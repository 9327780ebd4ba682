/**
 * Memory of a large fan-out: one flow mapping a cheap task over 10,000 items
 * (`--tasks=N`), in a fresh process per measurement, on SQLite (a temporary
 * directory) and on the in-memory plane, taking turns for `--rounds` rounds
 * (default 3). Reports the medians of the process's peak resident memory
 * (`VmHWM` from `/proc/self/status` on Linux: the true high-water mark;
 * elsewhere sampled every 5 ms), of the peak V8 heap in use (sampled) and of
 * the flow's wall time, next to the same process's resident memory before
 * the flow ran (IronFlow loaded, one small flow run).
 *
 * Run with `deno run -A bench/fanout_memory.ts [--tasks=10000] [--rounds=3]`;
 * compare two trees by running it from each.
 *
 * @module
 */
import { mappedFlow, memoryPlane, sqlitePlane } from "./sdk_workloads.ts";

const arg = (name: string, fallback: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

interface Measurement {
  baseMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  ms: number;
}

function highWaterMb(): number | undefined {
  try {
    const line = Deno.readTextFileSync("/proc/self/status").split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// One measurement, in this (fresh) process.
async function measure(kind: string, tasks: number): Promise<Measurement> {
  const bench = await (kind === "sqlite" ? sqlitePlane() : memoryPlane());
  try {
    await mappedFlow.runWith({ plane: bench.plane }, 10);
    const baseMb = Deno.memoryUsage().rss / 2 ** 20;
    let peakHeap = 0;
    let peakRss = 0;
    const sample = () => {
      const usage = Deno.memoryUsage();
      peakHeap = Math.max(peakHeap, usage.heapUsed);
      peakRss = Math.max(peakRss, usage.rss);
    };
    const sampler = setInterval(sample, 5);
    const start = performance.now();
    const outcome = await mappedFlow.runWith({ plane: bench.plane }, tasks);
    await bench.plane.flush();
    const ms = performance.now() - start;
    sample();
    clearInterval(sampler);
    if (outcome.state.type !== "COMPLETED") throw new Error(`flow ended ${outcome.state.type}`);
    return {
      baseMb,
      peakRssMb: highWaterMb() ?? peakRss / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      ms,
    };
  } finally {
    await bench.dispose();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

if (import.meta.main) {
  const tasks = Number(arg("tasks", "10000"));
  const child = arg("child", "");
  if (child) {
    console.log(JSON.stringify(await measure(child, tasks)));
  } else {
    const rounds = Number(arg("rounds", "3"));
    const results: Record<string, Measurement[]> = { sqlite: [], memory: [] };
    for (let round = 0; round < rounds; round++) {
      for (const kind of ["sqlite", "memory"]) {
        const output = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", import.meta.filename!, `--child=${kind}`, `--tasks=${tasks}`],
          stderr: "inherit",
        }).output();
        if (!output.success) throw new Error(`measurement on ${kind} failed`);
        results[kind]!.push(JSON.parse(new TextDecoder().decode(output.stdout)));
      }
    }
    console.log(`${tasks.toLocaleString("en")}-task fan-out, medians of ${rounds} fresh processes`);
    console.log("plane    before MB  peak RSS MB  peak heap MB  flow ms");
    for (const [kind, list] of Object.entries(results)) {
      const m = (pick: (x: Measurement) => number) => median(list.map(pick)).toFixed(0);
      console.log(
        `${kind.padEnd(8)} ${m((x) => x.baseMb).padStart(9)}  ${
          m((x) => x.peakRssMb).padStart(11)
        }  ${m((x) => x.peakHeapMb).padStart(12)}  ${m((x) => x.ms).padStart(7)}`,
      );
    }
  }
}
