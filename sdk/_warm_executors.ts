/**
 * Warm run processes for a worker: processes started ahead, with IronFlow
 * loaded, that wait on stdin for the run they execute. Each still executes
 * one run and exits (one process per run, as before); what only costs time —
 * starting Deno, loading the SDK and the planner — happens before the run is
 * claimed.
 *
 * A process is kept under the exact command line, working directory and
 * environment a run would have been started with (all but the run's id, which
 * it is told with the run), so it only ever takes a run that would have
 * started it the same way.
 *
 * @module
 */

/** How a run's process is started, all but what names the run. */
export interface ExecutorSpec {
  deno: string;
  /** `run <flags> <main> execute-run`: what every run's command line starts with. */
  args: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
}

/** The run a warm process executes (one JSON line on its stdin). */
export interface ExecutorAssignment {
  runId: string;
  entrypoint: string;
}

/** The flag that makes `execute-run` wait for its run on stdin. */
export const WARM_FLAG = "--warm";

interface Spare {
  child: Deno.ChildProcess;
  exited: boolean;
}

/** Options of {@linkcode WarmExecutors}. */
export interface WarmExecutorsOptions {
  /** Processes kept ready, over every kind of run. @default 2 */
  spares?: number;
}

/** Run processes started ahead, by the way they were started. */
export class WarmExecutors {
  readonly #spares = new Map<string, Spare[]>();
  readonly #max: number;
  #closed = false;

  constructor(options: WarmExecutorsOptions = {}) {
    this.#max = options.spares ?? 2;
  }

  /**
   * A process executing `assignment`: a ready one started like `spec` when
   * there is one, else a new one.
   */
  start(spec: ExecutorSpec, assignment: ExecutorAssignment): Deno.ChildProcess {
    const ready = this.#take(keyOf(spec)) ?? this.#spawn(spec).child;
    void assign(ready, assignment);
    return ready;
  }

  /**
   * Starts processes for runs started like `spec`. Call it once a run's own
   * process has started its run, so the new ones do not slow that one down.
   */
  refill(spec: ExecutorSpec): void {
    if (this.#max > 0 && !this.#closed) this.#refill(keyOf(spec), spec);
  }

  /** How many processes started like `spec` are kept ready now. */
  ready(spec: ExecutorSpec): number {
    return (this.#spares.get(keyOf(spec)) ?? []).filter((spare) => !spare.exited).length;
  }

  /** Ends the processes kept ready. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#spares.values()].flat();
    this.#spares.clear();
    for (const spare of all) stop(spare.child);
    await Promise.allSettled(all.map((spare) => spare.child.status));
  }

  #take(key: string): Deno.ChildProcess | undefined {
    const list = this.#spares.get(key);
    while (list && list.length > 0) {
      const spare = list.shift()!;
      if (!spare.exited) return spare.child;
    }
    return undefined;
  }

  #spawn(spec: ExecutorSpec): Spare {
    const child = new Deno.Command(spec.deno, {
      args: [...spec.args, WARM_FLAG],
      cwd: spec.cwd,
      env: { ...spec.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const spare: Spare = { child, exited: false };
    child.status.then(() => spare.exited = true, () => spare.exited = true);
    return spare;
  }

  // Tops up the reserve of the kind of run just started to the limit, so a
  // run arriving while the newest spare still loads takes an older, loaded
  // one (one new spare per run kept the reserve at one, always loading under
  // back-to-back runs); drops the oldest of other kinds beyond the limit.
  #refill(key: string, spec: ExecutorSpec): void {
    const list = this.#spares.get(key) ?? [];
    this.#spares.delete(key);
    this.#spares.set(key, list); // most recent kind last
    while (list.length < this.#max) {
      try {
        list.push(this.#spawn(spec));
      } catch {
        return; // the next run starts its process itself and reports why it cannot
      }
    }
    let count = [...this.#spares.values()].reduce((n, l) => n + l.length, 0);
    for (const [other, spares] of this.#spares) {
      if (count <= this.#max) break;
      if (other === key) continue;
      for (const spare of spares.splice(0)) {
        stop(spare.child);
        count -= 1;
      }
      this.#spares.delete(other);
    }
  }
}

function keyOf(spec: ExecutorSpec): string {
  const env = Object.entries(spec.env).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return JSON.stringify([spec.deno, spec.args, spec.cwd, env]);
}

async function assign(child: Deno.ChildProcess, assignment: ExecutorAssignment): Promise<void> {
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(`${JSON.stringify(assignment)}\n`));
    await writer.close();
  } catch {
    // The process is gone: the worker sees it exit without a final state.
  }
}

function stop(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGTERM");
  } catch {
    // already gone
  }
  child.stdin.close().catch(() => {});
  child.stdout.cancel().catch(() => {});
  child.stderr.cancel().catch(() => {});
}
