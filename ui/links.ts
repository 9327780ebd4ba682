/**
 * URLs of the dashboard's pages, so filters round-trip through links.
 *
 * @module
 */
import type { RunFilters } from "./types.ts";

/**
 * `encodeURIComponent` that never throws: a lone surrogate (which an older
 * database may hold in a name) is written as U+FFFD instead.
 */
export function encodePathPart(text: string): string {
  return encodeURIComponent(text.toWellFormed());
}

/** The default filters of the runs page. */
export const DEFAULT_FILTERS: RunFilters = {
  states: [],
  flow: null,
  q: "",
  range: "24h",
  from: null,
  to: null,
  tags: [],
  deployment: null,
  pool: null,
  parent: null,
  subflows: false,
  sort: "created",
  order: "desc",
};

/** Query string of `filters` (defaults left out), with `extra` parameters appended. */
export function filterParams(
  filters: RunFilters,
  extra: Record<string, string | null> = {},
): URLSearchParams {
  const params = new URLSearchParams();
  for (const state of filters.states) params.append("state", state);
  if (filters.flow !== null) params.set("flow", filters.flow);
  if (filters.q !== "") params.set("q", filters.q);
  if (filters.from !== null || filters.to !== null) {
    if (filters.from !== null) params.set("from", String(filters.from));
    if (filters.to !== null) params.set("to", String(filters.to));
  } else if (filters.range !== DEFAULT_FILTERS.range) {
    params.set("range", filters.range);
  }
  for (const tag of filters.tags) params.append("tag", tag);
  if (filters.deployment !== null) params.set("deployment", filters.deployment);
  if (filters.pool !== null) params.set("pool", filters.pool);
  if (filters.parent !== null) params.set("parent", filters.parent);
  if (filters.subflows) params.set("subflows", "1");
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set("sort", filters.sort);
  if (filters.order !== DEFAULT_FILTERS.order) params.set("order", filters.order);
  for (const [key, value] of Object.entries(extra)) if (value !== null) params.set(key, value);
  return params;
}

/** The runs page with `filters` (and e.g. a cursor). */
export function runsHref(filters: RunFilters, extra: Record<string, string | null> = {}): string {
  const query = filterParams(filters, extra).toString();
  return query ? `/?${query}` : "/";
}

/** A flow run's page, on `tab` with more parameters. */
export function runHref(
  id: string,
  tab?: string,
  extra: Record<string, string | readonly string[] | null | undefined> = {},
): string {
  const params = new URLSearchParams();
  if (tab && tab !== "tasks") params.set("tab", tab);
  for (const [key, value] of Object.entries(extra)) {
    // A list repeats its key (state=FAILED&state=CRASHED).
    if (typeof value !== "string") { for (const one of value ?? []) params.append(key, one); }
    else if (value !== "") params.set(key, value);
  }
  const query = params.toString();
  return `/runs/${encodePathPart(id)}${query ? `?${query}` : ""}`;
}

/** A flow's page. */
export function flowHref(name: string): string {
  return `/flows/${encodePathPart(name)}`;
}

/** The history page of an artifact key. */
export function artifactHref(key: string): string {
  return `/artifacts/${encodePathPart(key)}`;
}

/** A deployment's page (`ref`: its id or name), with more parameters. */
export function deploymentHref(
  ref: string,
  extra: Record<string, string | null | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(extra)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, value);
  }
  const query = params.toString();
  return `/deployments/${encodePathPart(ref)}${query ? `?${query}` : ""}`;
}

/** A work pool's page. */
export function workPoolHref(name: string): string {
  return `/work-pools/${encodePathPart(name)}`;
}

/**
 * The download URL of a large result: `GET /api/results/{ref}`, which the
 * dashboard's session cookie authorises when the server has an API key.
 */
export function resultHref(ref: string): string {
  return `/api/results/${encodePathPart(ref)}`;
}
