/**
 * Building blocks of the request schemas: repeatable list parameters, ISO
 * times, states, sorting and paging, and the shapes of common answers.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import { MAX_PAGE_SIZE, STATE_TYPES, type StateType } from "../engine/mod.ts";

/** One of the nine state types. */
export const StateSchema = z.enum(STATE_TYPES as [StateType, ...StateType[]]);

/** Values one list parameter (`?tags=`, `?state=`...) may carry at most. */
export const MAX_FILTER_VALUES = 100;

/** A parameter given once, repeated (`?a=x&a=y`) or as a comma list (`?a=x,y`). */
export function listParam<T extends z.ZodType<unknown, string>>(item: T, description: string) {
  const options = (item as { options?: readonly string[] }).options;
  const values = options ? ` (${options.join(", ")})` : "";
  return z.union([z.string(), z.array(z.string())])
    .transform((value) =>
      (Array.isArray(value) ? value : [value])
        .flatMap((part) => part.split(","))
        .map((part) => part.trim())
        .filter((part) => part !== "")
    )
    .pipe(
      z.array(item).max(MAX_FILTER_VALUES, {
        error: `must have at most ${MAX_FILTER_VALUES} values`,
      }),
    )
    .meta({
      description: `${description}${values}; repeat the parameter or give a comma list ` +
        `(at most ${MAX_FILTER_VALUES} values)`,
    });
}

/** An ISO-8601 time in a query string, parsed to epoch milliseconds. */
export const IsoTimeParam = z.string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)), {
    error: "must be an ISO-8601 time such as 2024-05-01T12:00:00Z",
  })
  .transform((text) => Date.parse(text))
  .meta({ format: "date-time" });

/** An ISO-8601 time in a JSON body, kept as text (the wire functions parse it). */
export const IsoTimeText = z.string().refine(
  (text) => /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)),
  { error: "must be an ISO-8601 time such as 2024-05-01T12:00:00Z" },
).meta({ format: "date-time" });

/** Page size. */
export const LimitParam = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE)
  .meta({ description: `Page size, 1 to ${MAX_PAGE_SIZE}; default 50` });

/** A non-negative integer in a query string. */
export const SeqParam = z.coerce.number().int().min(0);

/** Sort keys of run listings. */
export const SortParam = z.enum(["created", "updated", "start", "end", "name", "state", "duration"])
  .meta({
    description: "Sort key; default created. `state` orders by state type, `duration` by " +
      "the time spent running by attempts that ended",
  });

/** Sort direction. */
export const OrderParam = z.enum(["asc", "desc"]).meta({ description: "Default desc" });

/** The opaque cursor of the next page. */
export const CursorParam = z.string().min(1)
  .meta({ description: "`next_cursor` of the previous page; must match sort and order" });

/** The answer of every paged listing. */
export function pageOf(item: z.ZodType) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

/** The body of every error answer. */
export const ErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown(),
  }),
}).meta({ id: "Error" });

/** Counts of runs by state. */
export const StateCountsSchema = z.record(z.string(), z.number().int())
  .meta({ id: "StateCounts", description: "Number of runs in each state; absent states are 0" });

/** Log levels by name. */
export const LOG_LEVELS: Readonly<Record<string, number>> = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  WARN: 30,
  ERROR: 40,
  CRITICAL: 50,
};

/** A minimum log level: a name (`INFO`) or a number (`20`). */
export const LevelParam = z.string()
  .transform((text, ctx) => {
    const byName = LOG_LEVELS[text.toUpperCase()];
    if (byName !== undefined) return byName;
    const n = Number(text);
    if (text.trim() !== "" && Number.isInteger(n) && n >= 0) return n;
    ctx.addIssue({ code: "custom", message: "must be a level name (DEBUG...CRITICAL) or number" });
    return z.NEVER;
  })
  .meta({ description: "Minimum level: DEBUG, INFO, WARNING, ERROR, CRITICAL or a number" });
