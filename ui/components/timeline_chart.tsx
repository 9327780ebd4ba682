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
  const ticks = 5;
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label="Timeline of task runs"
      data-chart="timeline"
    >
      {Array.from({ length: ticks + 1 }, (_, i) => {
        const tx = LABEL + (i * plot) / ticks;
        return (
          <g key={i}>
            <line class="grid" x1={tx} x2={tx} y1={AXIS - 6} y2={height} />
            <text x={tx} y={12} text-anchor={i === 0 ? "start" : i === ticks ? "end" : "middle"}>
              {`+${formatDuration((i * span) / ticks)}`}
            </text>
          </g>
        );
      })}
      {rows.map(({ run, segments }, i) => {
        const y = AXIS + i * ROW;
        const retried = segments.length > 1;
        return (
          <g key={run.id} data-run-id={run.id}>
            <text x={4} y={y + 15}>
              {truncate(run.runName, 30)}
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
                >
                  <title>
                    {`${run.runName} attempt ${j + 1}: ${segment.state.toLowerCase()}, ${
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

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
