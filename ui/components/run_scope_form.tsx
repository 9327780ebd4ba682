import type { RunFilters, RunsSort } from "../types.ts";

/** Props of {@linkcode RunScopeFields}. */
export interface RunScopeFieldsProps {
  filters: RunFilters;
}

const SORTS: readonly [RunsSort, string][] = [
  ["created", "Created"],
  ["start", "Start time"],
  ["end", "End time"],
  ["duration", "Duration"],
  ["state", "State"],
  ["name", "Name"],
];

/**
 * The runs page's second row of filters (tags, deployment, work pool,
 * parent, subflows) and its sort, as fields of the filters form.
 */
export function RunScopeFields({ filters }: RunScopeFieldsProps) {
  return (
    <div class="filters">
      <input
        type="text"
        name="tag"
        value={filters.tags.join(", ")}
        placeholder="Tags (all of)"
        aria-label="Tags, comma separated"
      />
      <input
        type="text"
        name="deployment"
        value={filters.deployment ?? ""}
        placeholder="Deployment"
        aria-label="Deployment name"
      />
      <input
        type="text"
        name="pool"
        value={filters.pool ?? ""}
        placeholder="Work pool"
        aria-label="Work pool name"
      />
      {filters.parent !== null && <input type="hidden" name="parent" value={filters.parent} />}
      <label class="small">
        <input type="checkbox" name="subflows" value="1" checked={filters.subflows} /> Subflows
      </label>
      <select name="sort" aria-label="Sort by">
        {SORTS.map(([key, label]) => (
          <option key={key} value={key} selected={key === filters.sort}>{`Sort: ${label}`}</option>
        ))}
      </select>
      <select name="order" aria-label="Order">
        <option value="desc" selected={filters.order === "desc"}>Descending</option>
        <option value="asc" selected={filters.order === "asc"}>Ascending</option>
      </select>
    </div>
  );
}
