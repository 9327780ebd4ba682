import type { RangeKey, RunFilters } from "../types.ts";
import { RunScopeFields } from "./run_scope_form.tsx";

/** Props of {@linkcode RunFiltersForm}. */
export interface RunFiltersFormProps {
  filters: RunFilters;
  flowNames: readonly string[];
}

const RANGES: readonly [RangeKey, string][] = [
  ["1h", "Last hour"],
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["all", "All time"],
];

/** Flow, text and time-range filters as a GET form: works without JavaScript. */
export function RunFiltersForm({ filters, flowNames }: RunFiltersFormProps) {
  const custom = filters.from !== null || filters.to !== null;
  return (
    <form class="filters" method="get" action="/" role="search">
      {filters.states.map((state) => (
        <input
          key={state}
          type="hidden"
          name="state"
          value={state}
        />
      ))}
      <select name="flow" aria-label="Flow" data-autosubmit>
        <option value="">All flows</option>
        {flowNames.map((name) => (
          <option key={name} value={name} selected={name === filters.flow}>{name}</option>
        ))}
      </select>
      <input
        type="search"
        name="q"
        value={filters.q}
        placeholder="Search run name, flow or id"
        aria-label="Search"
      />
      <select name="range" aria-label="Time range" data-autosubmit>
        {custom && <option value="" selected>Custom window</option>}
        {RANGES.map(([key, label]) => (
          <option key={key} value={key} selected={!custom && key === filters.range}>{label}</option>
        ))}
      </select>
      {custom && filters.from !== null && <input type="hidden" name="from" value={filters.from} />}
      {custom && filters.to !== null && <input type="hidden" name="to" value={filters.to} />}
      <button type="submit">Apply</button>
      <RunScopeFields filters={filters} />
    </form>
  );
}
