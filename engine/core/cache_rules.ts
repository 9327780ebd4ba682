/**
 * Result caching across runs as rules: a task run proposing RUNNING with a
 * cache key that has a live entry is redirected to COMPLETED "Cached" with
 * the stored result; a completion with a cache key stores one.
 *
 * @module
 */
import type { Json } from "./model.ts";
import type { Rule } from "./rules.ts";
import { StateName, StateType } from "./states.ts";

const { SCHEDULED, PENDING, RUNNING, COMPLETED } = StateType;

/** Collection of cache entries in the document store. */
export const CACHE_COLLECTION = "cache";

/** Answers a cache hit with the stored result instead of running the task. */
export const ServeCachedResults: Rule = {
  name: "ServeCachedResults",
  from: [SCHEDULED, PENDING],
  to: [RUNNING],
  applies: (_run, proposal) => typeof proposal.data?.["cacheKey"] === "string",
  before(ctx) {
    const key = ctx.proposal.data?.["cacheKey"];
    if (typeof key !== "string" || ctx.proposal.data?.["refreshCache"] === true) return;
    const entry = ctx.services?.documents.getDocument(CACHE_COLLECTION, key);
    if (!entry || (entry.expiresAt !== null && entry.expiresAt <= ctx.now)) return;
    const stored = entry.data as { result?: Json; runId?: string };
    ctx.annotate({
      cache_hit: true,
      cacheKey: key,
      result: stored.result ?? null,
      cachedFrom: stored.runId ?? null,
    });
    ctx.redirect(COMPLETED, StateName.Cached, `cache hit for key "${key}"`);
  },
};

/** Stores the result of a completed task run under its cache key. */
export const StoreCachedResults: Rule = {
  name: "StoreCachedResults",
  from: [RUNNING],
  to: [COMPLETED],
  onCommit(event, run, services) {
    const data = event.data;
    const key = data?.["cacheKey"];
    if (typeof key !== "string" || data?.["result"] === undefined || data["cache_hit"] === true) {
      return;
    }
    const expires = data["cacheExpiresAt"];
    services.documents.putDocument({
      collection: CACHE_COLLECTION,
      key,
      ref: null,
      data: { result: data["result"], runId: run.id },
      createdAt: event.at,
      updatedAt: event.at,
      expiresAt: typeof expires === "number" ? expires : null,
    });
  },
};
