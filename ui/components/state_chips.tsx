import type { StateType } from "../../engine/mod.ts";
import { formatCount, STATE_ORDER, stateLabel, total } from "../format.ts";
import { runsHref } from "../links.ts";
import type { RunFilters, StateCounts } from "../types.ts";

/** Props of {@linkcode StateChips}. */
export interface StateChipsProps {
  filters: RunFilters;
  /** Runs per state in the current window. */
  counts: StateCounts;
}

/** One link per state that toggles it in the URL, with counts; "All" clears them. */
export function StateChips({ filters, counts }: StateChipsProps) {
  const toggle = (state: StateType) =>
    runsHref({
      ...filters,
      states: filters.states.includes(state)
        ? filters.states.filter((s) => s !== state)
        : [...filters.states, state],
    });
  return (
    <nav class="chips" aria-label="Filter by state" data-live="chips">
      <a
        class={`chip${filters.states.length === 0 ? " on" : ""}`}
        href={runsHref({ ...filters, states: [] })}
      >
        All <span class="n">{formatCount(total(counts))}</span>
      </a>
      {STATE_ORDER.map((state) => {
        const on = filters.states.includes(state);
        return (
          <a
            key={state}
            class={`chip s-${state}${on ? " on" : ""}`}
            href={toggle(state)}
            aria-current={on ? "true" : undefined}
            data-chip={state}
          >
            {stateLabel(state)} <span class="n">{formatCount(counts[state] ?? 0)}</span>
          </a>
        );
      })}
    </nav>
  );
}
