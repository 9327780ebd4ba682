/**
 * HTTP request counts and latency histograms by method and matched route.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";

/** Upper bounds of the latency histogram, in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: string;
  counts: number[];
  sum: number;
  count: number;
  statuses: Map<number, number>;
}

/** Times requests and renders `ironflow_http_*` metrics. */
export class HttpMetrics {
  readonly #series = new Map<string, Series>();

  /** Middleware timing every request; unmatched paths share the route label `unmatched`. */
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
    let series = this.#series.get(key);
    if (!series) {
      const escaped = route.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
      series = {
        labels: `method="${method}",route="${escaped}"`,
        counts: BUCKETS.map(() => 0),
        sum: 0,
        count: 0,
        statuses: new Map(),
      };
      this.#series.set(key, series);
    }
    for (const [i, bound] of BUCKETS.entries()) if (seconds <= bound) series.counts[i]! += 1;
    series.sum += seconds;
    series.count += 1;
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
  }

  /** Appends the request counter and latency histogram in the Prometheus text format. */
  render(lines: string[]): void {
    const requests = "ironflow_http_requests_total";
    lines.push(
      `# HELP ${requests} HTTP requests by route and status.`,
      `# TYPE ${requests} counter`,
    );
    for (const s of this.#series.values()) {
      for (const [status, n] of s.statuses) {
        lines.push(`${requests}{${s.labels},status="${status}"} ${n}`);
      }
    }
    const latency = "ironflow_http_request_duration_seconds";
    lines.push(`# HELP ${latency} HTTP request latency.`, `# TYPE ${latency} histogram`);
    for (const s of this.#series.values()) {
      for (const [i, bound] of BUCKETS.entries()) {
        lines.push(`${latency}_bucket{${s.labels},le="${bound}"} ${s.counts[i]}`);
      }
      lines.push(`${latency}_bucket{${s.labels},le="+Inf"} ${s.count}`);
      lines.push(`${latency}_sum{${s.labels}} ${s.sum}`);
      lines.push(`${latency}_count{${s.labels}} ${s.count}`);
    }
  }
}
