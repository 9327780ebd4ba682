/**
 * Prometheus metrics: runs by state, transitions (total and per second),
 * queue depth and HTTP request latency by route.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { type Clock, type Engine, STATE_TYPES, type StoreSummary } from "../engine/mod.ts";
import { HttpMetrics } from "./http_metrics.ts";

/** Seconds the transitions-per-second gauge averages over. */
const RATE_WINDOW_S = 10;

/** Collects the server's metrics and renders them in the Prometheus text format. */
export class Metrics {
  readonly #clock: Clock;
  readonly #http = new HttpMetrics();
  // Transitions per second of the clock, in a ring of RATE_WINDOW_S slots.
  readonly #slots = new Array<number>(RATE_WINDOW_S).fill(0);
  readonly #slotSecond = new Array<number>(RATE_WINDOW_S).fill(-1);
  #transitions = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Counts the engine's committed transitions until the returned function is called. */
  watch(engine: Engine): () => void {
    return engine.subscribe((event) => {
      if (event.from === null) return;
      this.#transitions += 1;
      const second = Math.floor(this.#clock.now() / 1000);
      const slot = second % RATE_WINDOW_S;
      if (this.#slotSecond[slot] !== second) {
        this.#slotSecond[slot] = second;
        this.#slots[slot] = 0;
      }
      this.#slots[slot]! += 1;
    });
  }

  /** Middleware timing every request by method and matched route. */
  middleware(): MiddlewareHandler {
    return this.#http.middleware();
  }

  /** Average committed transitions per second over the last ten seconds. */
  transitionsPerSecond(): number {
    const second = Math.floor(this.#clock.now() / 1000);
    let total = 0;
    for (let i = 0; i < RATE_WINDOW_S; i++) {
      const age = second - this.#slotSecond[i]!;
      if (age >= 0 && age < RATE_WINDOW_S) total += this.#slots[i]!;
    }
    return total / RATE_WINDOW_S;
  }

  /** The metrics in the Prometheus text exposition format. */
  render(summary: StoreSummary, lastSeq: number): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, value?: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      if (value !== undefined) lines.push(`${name} ${value}`);
    };
    const kinds = [
      ["flow", "Flow", summary.flowRunsByState],
      ["task", "Task", summary.taskRunsByState],
    ] as const;
    for (const [kind, label, byState] of kinds) {
      metric(`ironflow_${kind}_runs`, "gauge", `${label} runs by state.`);
      for (const state of STATE_TYPES) {
        lines.push(`ironflow_${kind}_runs{state="${state}"} ${byState[state] ?? 0}`);
      }
    }
    const by = summary.flowRunsByState;
    metric(
      "ironflow_flow_run_queue_depth",
      "gauge",
      "Flow runs SCHEDULED or PENDING.",
      (by.SCHEDULED ?? 0) + (by.PENDING ?? 0),
    );
    metric("ironflow_events_total", "counter", "Events in the store (creations too).", lastSeq);
    metric(
      "ironflow_transitions_total",
      "counter",
      "Transitions committed since the server started.",
      this.#transitions,
    );
    metric(
      "ironflow_transitions_per_second",
      "gauge",
      "Transitions per second, 10 s average.",
      this.transitionsPerSecond(),
    );
    this.#http.render(lines);
    return lines.join("\n") + "\n";
  }
}
