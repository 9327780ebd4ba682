import { formatCount, presentStates, stateLabel, total } from "../format.ts";
import type { StateCounts } from "../types.ts";

/** Props of {@linkcode StateLegend}. */
export interface StateLegendProps {
  counts: StateCounts;
}

/** "12 runs" and the count of each state present, in state colours. */
export function StateLegend({ counts }: StateLegendProps) {
  return (
    <div class="legend">
      <span>
        <strong>{formatCount(total(counts))}</strong> runs
      </span>
      {presentStates(counts).map((state) => (
        <span key={state} class={`s-${state}`}>
          <i></i>
          {`${formatCount(counts[state]!)} ${stateLabel(state).toLowerCase()}`}
        </span>
      ))}
    </div>
  );
}
