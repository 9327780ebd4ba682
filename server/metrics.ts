/**
 * Prometheus metrics: runs by state, transitions (total and per second),
 * queue depth and HTTP request latency by route.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { type Clock, type Engine, STATE_TYPES, type StoreSummary } from "../engine/mod.ts";

/** Upper bounds of the latency histogram, in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds the transitions-per-second gauge averages over. */
const RATE_WINDOW_S = 10;

interface Series {
  method: string;
  route: string;
  counts: number[];
  sum: number;
  count: number;
  statuses: Map<number, number>;
}

/** Collects the server's metrics and renders them in the Prometheus text format. */
export class Metrics {
  readonly #clock: Clock;
  readonly #http = new Map<string, Series>();
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
    const observe = this.#observe.bind(this);
    return async function timeRequest(c, next) {
      const started = performance.now();
      await next();
      const route = routePath(c);
      observe(
        c.req.method,
        route === "" || route.includes("*") ? "unmatched" : route,
        c.res.status,
        (performance.now() - started) / 1000,
      );
    };
  }

  #observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let series = this.#http.get(key);
    if (!series) {
      series = {
        method,
        route,
        counts: BUCKETS.map(() => 0),
        sum: 0,
        count: 0,
        statuses: new Map(),
      };
      this.#http.set(key, series);
    }
    for (const [i, bound] of BUCKETS.entries()) if (seconds <= bound) series.counts[i]! += 1;
    series.sum += seconds;
    series.count += 1;
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
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
    const metric = (name: string, type: string, help: string) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    metric("ironflow_flow_runs", "gauge", "Flow runs by state.");
    for (const state of STATE_TYPES) {
      lines.push(`ironflow_flow_runs{state="${state}"} ${summary.flowRunsByState[state] ?? 0}`);
    }
    metric("ironflow_task_runs", "gauge", "Task runs by state.");
    for (const state of STATE_TYPES) {
      lines.push(`ironflow_task_runs{state="${state}"} ${summary.taskRunsByState[state] ?? 0}`);
    }
    const queued = (summary.flowRunsByState.SCHEDULED ?? 0) +
      (summary.flowRunsByState.PENDING ?? 0);
    metric("ironflow_flow_run_queue_depth", "gauge", "Flow runs SCHEDULED or PENDING.");
    lines.push(`ironflow_flow_run_queue_depth ${queued}`);
    metric("ironflow_events_total", "counter", "Events in the store (creations included).");
    lines.push(`ironflow_events_total ${lastSeq}`);
    metric(
      "ironflow_transitions_total",
      "counter",
      "Transitions committed since the server started.",
    );
    lines.push(`ironflow_transitions_total ${this.#transitions}`);
    metric("ironflow_transitions_per_second", "gauge", "Transitions per second, 10 s average.");
    lines.push(`ironflow_transitions_per_second ${this.transitionsPerSecond()}`);
    metric("ironflow_http_requests_total", "counter", "HTTP requests by route and status.");
    for (const s of this.#http.values()) {
      for (const [status, n] of s.statuses) {
        lines.push(`ironflow_http_requests_total{${labels(s)},status="${status}"} ${n}`);
      }
    }
    metric("ironflow_http_request_duration_seconds", "histogram", "HTTP request latency.");
    for (const s of this.#http.values()) {
      for (const [i, bound] of BUCKETS.entries()) {
        lines.push(
          `ironflow_http_request_duration_seconds_bucket{${labels(s)},le="${bound}"} ${
            s.counts[i]
          }`,
        );
      }
      lines.push(
        `ironflow_http_request_duration_seconds_bucket{${labels(s)},le="+Inf"} ${s.count}`,
      );
      lines.push(`ironflow_http_request_duration_seconds_sum{${labels(s)}} ${s.sum}`);
      lines.push(`ironflow_http_request_duration_seconds_count{${labels(s)}} ${s.count}`);
    }
    return lines.join("\n") + "\n";
  }
}

function labels(series: Series): string {
  const route = series.route.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
  return `method="${series.method}",route="${route}"`;
}
