import { formatDuration } from "../format.ts";
import type { TimelineRow } from "../types.ts";

/** Props of {@linkcode TimelineChart}. */
export interface TimelineChartProps {
  rows: readonly TimelineRow[];
  /** The time axis: the flow run's start to its end (or now). */
  start: number;
  end: number;
}

const WIDTH = 1000;
const LABEL = 210;
const ROW = 22;
const AXIS = 24;

/**
 * A Gantt chart of task runs (SVG): one row per task run, one bar per attempt
 * in RUNNING, coloured by the state the attempt ended in, so retries show as
 * a failed bar followed by the next attempt.
 */
export function TimelineChart({ rows, start, end }: TimelineChartProps) {
  const span = Math.max(1, end - start);
  const plot = WIDTH - LABEL - 10;
  const x = (ms: number) => LABEL + ((Math.min(Math.max(ms, start), end) - start) / span) * plot;
  const height = AXIS + rows.length * ROW + 6;
  const step = tickStep(span);
  const ticks = Math.floor(span / step);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="group"
      aria-label="Timeline of task runs"
      data-chart="timeline"
    >
      {Array.from({ length: ticks + 1 }, (_, i) => {
        const tx = x(start + i * step);
        // The last label would run off the chart: it ends at its line instead.
        const anchor = i === 0 ? "start" : tx > WIDTH - 40 ? "end" : "middle";
        return (
          <g key={i}>
            <line class="grid" x1={tx} x2={tx} y1={AXIS - 6} y2={height} />
            <text x={tx} y={12} text-anchor={anchor}>{`+${formatDuration(i * step)}`}</text>
          </g>
        );
      })}
      {rows.map(({ run, segments, count = 1 }, i) => {
        const y = AXIS + i * ROW;
        const retried = count === 1 && segments.length > 1;
        return (
          <g
            key={run.id}
            data-run-id={count === 1 ? run.id : undefined}
            data-group={count > 1 ? run.taskKey ?? undefined : undefined}
            class={count > 1 ? "group" : undefined}
          >
            <text x={4} y={y + 15}>
              {count > 1
                ? `${truncate(run.name, 22)} ×${count.toLocaleString("en-US")}`
                : truncate(run.runName, 30)}
              {retried ? ` ×${segments.length}` : ""}
            </text>
            {segments.length === 0 && (
              <text x={LABEL + 4} y={y + 15}>{run.stateName.toLowerCase()}</text>
            )}
            {segments.map((segment, j) => {
              const x0 = x(segment.start);
              const w = Math.max(2, x(segment.end) - x0);
              return (
                <rect
                  key={j}
                  class={`bar f-${segment.state}`}
                  x={x0.toFixed(1)}
                  y={y + 4}
                  width={w.toFixed(1)}
                  height={ROW - 8}
                  rx={3}
                  fill-opacity={count > 1 ? 0.55 : undefined}
                >
                  <title>
                    {`${
                      segment.label ?? `${run.runName} attempt ${j + 1}`
                    }: ${segment.state.toLowerCase()}, ${
                      formatDuration(segment.end - segment.start)
                    }`}
                  </title>
                </rect>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}

const STEPS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  1_000,
  2_000,
  5_000,
  10_000,
  15_000,
  30_000,
  60_000,
  120_000,
  300_000,
  600_000,
  900_000,
  1_800_000,
  3_600_000,
  7_200_000,
  10_800_000,
  21_600_000,
  43_200_000,
  86_400_000,
  172_800_000,
  604_800_000,
];

/** A round tick interval (1s, 5m, 1h, 1d…) giving at most six intervals over `span` ms. */
export function tickStep(span: number): number {
  return STEPS.find((step) => span / step <= 6) ?? Math.ceil(span / 6 / 86_400_000) * 86_400_000;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
