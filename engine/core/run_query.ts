/**
 * Shared semantics of run queries: sort keys, cursors and in-memory matching,
 * so every store adapter pages the same way.
 *
 * @module
 */
import { InvalidArgumentError, InvalidCursorError } from "./errors.ts";
import type { RunRecord } from "./model.ts";
import {
  ACTIVITY_BUCKET_MS,
  type ActivityQuery,
  type RunQuery,
  type RunSortKey,
} from "./store_queries.ts";

/** Default and maximum page sizes. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Sort keys and the run field each orders by. */
export const SORT_FIELDS: Readonly<Record<RunSortKey, keyof RunRecord>> = {
  created: "createdAt",
  updated: "updatedAt",
  start: "startTime",
  end: "endTime",
  name: "runName",
  expected: "expectedStartTime",
  state: "state",
  duration: "totalRunTimeMs",
};

/** The position after which the next page starts. */
export interface CursorPosition {
  sort: RunSortKey;
  order: "asc" | "desc";
  value: number | string | null;
  id: string;
}

/**
 * `value` as JSON in base64url (UTF-8, no padding): safe in a query string
 * whatever script the names and ids in it are written in.
 */
export function encodeBase64UrlJson(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The JSON value {@linkcode encodeBase64UrlJson} encoded (standard base64 is
 * read too); throws {@linkcode InvalidCursorError} when `text` is not one.
 */
export function decodeBase64UrlJson(text: string): unknown {
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new InvalidCursorError(`Cursor "${shorten(text)}" is malformed`, { cause });
  }
}

function shorten(text: string): string {
  const clean = text.toWellFormed();
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}

/** Encodes a page position as an opaque string. */
export function encodeCursor(position: CursorPosition): string {
  return encodeBase64UrlJson([position.sort, position.order, position.value, position.id]);
}

/**
 * Decodes a cursor; throws {@linkcode InvalidCursorError} if it is malformed
 * or was made for another sort.
 */
export function decodeCursor(
  cursor: string,
  sort: RunSortKey,
  order: "asc" | "desc",
): CursorPosition {
  const parsed = decodeBase64UrlJson(cursor);
  if (
    !Array.isArray(parsed) || parsed.length !== 4 || typeof parsed[3] !== "string" ||
    !(parsed[2] === null || typeof parsed[2] === "number" || typeof parsed[2] === "string")
  ) {
    throw new InvalidCursorError(`Cursor "${shorten(cursor)}" is malformed`);
  }
  if (parsed[0] !== sort || parsed[1] !== order) {
    throw new InvalidCursorError(
      `Cursor was made for sort "${String(parsed[0])}" ${
        String(parsed[1])
      }, not "${sort}" ${order}`,
    );
  }
  return { sort, order, value: parsed[2], id: parsed[3] };
}

/** Resolved sort, order and limit of a query, with defaults applied. */
export function queryShape(
  query: RunQuery,
): { sort: RunSortKey; order: "asc" | "desc"; limit: number } {
  const sort = query.sort ?? "created";
  if (!Object.hasOwn(SORT_FIELDS, sort)) throw new InvalidArgumentError(`Unknown sort "${sort}"`);
  const order = query.order ?? "desc";
  if (order !== "asc" && order !== "desc") {
    throw new InvalidArgumentError(`Unknown order "${order}"`);
  }
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(
      `Page size ${limit} must be an integer from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return { sort, order, limit };
}

/** Whether `run` passes the query's filters (cursor and paging aside). */
export function matchesQuery(run: RunRecord, query: RunQuery): boolean {
  if (query.kind !== undefined && run.kind !== query.kind) return false;
  if (query.states !== undefined && query.states.length > 0 && !query.states.includes(run.state)) {
    return false;
  }
  if (query.flowName !== undefined && run.flowName !== query.flowName) return false;
  if (query.name !== undefined && run.name !== query.name) return false;
  if (query.rootsOnly === true && run.parentId !== null) return false;
  if (query.parentId !== undefined && run.parentId !== query.parentId) return false;
  if (
    query.deploymentIds !== undefined &&
    (run.deploymentId === null || !query.deploymentIds.includes(run.deploymentId))
  ) return false;
  if (
    query.expectedStartFrom !== undefined &&
    (run.expectedStartTime === null || run.expectedStartTime < query.expectedStartFrom)
  ) return false;
  if (
    query.hideUpcomingFrom !== undefined && run.state === "SCHEDULED" &&
    (run.expectedStartTime ?? 0) >= query.hideUpcomingFrom
  ) return false;
  if (query.rootId !== undefined && run.rootId !== query.rootId) return false;
  if (query.lineageId !== undefined && run.lineageId !== query.lineageId) return false;
  if (query.deploymentId !== undefined && run.deploymentId !== query.deploymentId) return false;
  if (query.createdAfter !== undefined && run.createdAt < query.createdAfter) return false;
  if (query.createdBefore !== undefined && run.createdAt >= query.createdBefore) return false;
  if (
    query.expectedStartBefore !== undefined &&
    (run.expectedStartTime === null || run.expectedStartTime >= query.expectedStartBefore)
  ) return false;
  if (query.tags !== undefined && !query.tags.every((tag) => run.tags.includes(tag))) return false;
  if (query.text !== undefined && query.text !== "") {
    const needle = query.text.toLowerCase();
    if (
      !run.runName.toLowerCase().includes(needle) && !run.name.toLowerCase().includes(needle) &&
      !run.id.toLowerCase().includes(needle)
    ) return false;
  }
  return true;
}

/** Compares two sort values with `null` ordered first. */
export function compareSortValues(
  a: number | string | null,
  b: number | string | null,
): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * Checks that an activity query asks for whole hours; throws `InvalidArgumentError`
 * otherwise (the stored counts cannot split an hour).
 */
export function checkActivityQuery(query: ActivityQuery): void {
  const { since, until, bucketMs } = query;
  for (
    const [name, value] of [["since", since], ["until", until], ["bucketMs", bucketMs]] as const
  ) {
    if (!Number.isSafeInteger(value) || value % ACTIVITY_BUCKET_MS !== 0) {
      throw new InvalidArgumentError(
        `Activity ${name} ${value} must be a whole number of hours (${ACTIVITY_BUCKET_MS} ms)`,
      );
    }
  }
  if (bucketMs <= 0) {
    throw new InvalidArgumentError(`Activity bucketMs ${bucketMs} must be positive`);
  }
}
