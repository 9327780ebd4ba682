import type { StateType } from "../../engine/mod.ts";
import { formatCount, stateLabel, total } from "../format.ts";
import type { ActivityData } from "../types.ts";

/** Props of {@linkcode ActivityChart}. */
export interface ActivityChartProps {
  data: ActivityData;
  /** Link of one bucket (filters the table to it), or none. */
  bucketHref?: (start: number, end: number) => string;
}

// Finished states at the bottom of each stack, live ones on top.
const STACK: readonly StateType[] = [
  "COMPLETED",
  "CANCELLED",
  "CRASHED",
  "FAILED",
  "CANCELLING",
  "PAUSED",
  "RUNNING",
  "PENDING",
  "SCHEDULED",
];
const WIDTH = 1000;
const HEIGHT = 130;
const LEFT = 44;
const BOTTOM = 20;
const TOP = 8;

/** Stacked bars of runs created per time bucket, coloured by state (SVG). */
export function ActivityChart({ data, bucketHref }: ActivityChartProps) {
  const n = data.buckets.length;
  const plotW = WIDTH - LEFT - 4;
  const plotH = HEIGHT - BOTTOM - TOP;
  const max = Math.max(1, ...data.buckets.map((b) => total(b.counts)));
  const step = n > 0 ? plotW / n : plotW;
  const gap = step > 6 ? 1.5 : 0.5;
  const ticks = Math.min(n, 6);
  const daily = data.bucketMs >= 86_400_000;
  const label = (ms: number) => {
    const iso = new Date(ms).toISOString();
    return daily ? iso.slice(5, 10) : iso.slice(11, 16);
  };
  // On a phone the chart keeps a readable size and scrolls sideways.
  return (
    <div class="chart-scroll" tabIndex={0} role="region" aria-label="Runs over time">
      <svg
        class="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="group"
        aria-label="Flow runs per time bucket by state"
        data-live="activity"
      >
        <line class="grid" x1={LEFT} x2={WIDTH - 4} y1={TOP} y2={TOP} />
        <line class="grid" x1={LEFT} x2={WIDTH - 4} y1={TOP + plotH / 2} y2={TOP + plotH / 2} />
        <line class="grid" x1={LEFT} x2={WIDTH - 4} y1={TOP + plotH} y2={TOP + plotH} />
        <text x={LEFT - 6} y={TOP + 4} text-anchor="end">{formatCount(max)}</text>
        <text x={LEFT - 6} y={TOP + plotH + 4} text-anchor="end">0</text>
        {data.buckets.map((bucket, i) => {
          const sum = total(bucket.counts);
          if (sum === 0) return null;
          const x = LEFT + i * step + gap / 2;
          let y = TOP + plotH;
          const title = `${
            new Date(bucket.start).toISOString().slice(0, 16).replace("T", " ")
          } UTC: ${
            STACK.filter((s) => bucket.counts[s]).map((s) =>
              `${formatCount(bucket.counts[s]!)} ${stateLabel(s).toLowerCase()}`
            ).join(", ")
          }`;
          const bars = STACK.map((state) => {
            const count = bucket.counts[state] ?? 0;
            if (count === 0) return null;
            const h = Math.max(1, (count / max) * plotH);
            y -= h;
            return (
              <rect
                key={state}
                class={`bar f-${state}`}
                x={x.toFixed(1)}
                y={y.toFixed(1)}
                width={Math.max(1, step - gap).toFixed(1)}
                height={h.toFixed(1)}
              />
            );
          });
          const content = (
            <g>
              <title>{title}</title>
              {bars}
            </g>
          );
          return bucketHref
            ? (
              <a key={bucket.start} href={bucketHref(bucket.start, bucket.start + data.bucketMs)}>
                {content}
              </a>
            )
            : <g key={bucket.start}>{content}</g>;
        })}
        {Array.from({ length: ticks }, (_, t) => {
          const i = Math.round((t * (n - 1)) / Math.max(1, ticks - 1));
          const bucket = data.buckets[i];
          if (!bucket) return null;
          return (
            <text
              key={t}
              x={LEFT + i * step + step / 2}
              y={HEIGHT - 4}
              text-anchor={t === ticks - 1 && ticks > 1 ? "end" : "middle"}
            >
              {label(bucket.start)}
            </text>
          );
        })}
      </svg>
    </div>
  );
}
