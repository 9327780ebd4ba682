/**
 * SSE routes: every committed event (optionally of some runs), and the
 * events and log lines of one flow run and its task runs.
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import type { Engine, EngineEvent } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { runOfKind } from "./lookup.ts";
import type { ApiRouter } from "./router.ts";
import { listParam, SeqParam } from "./schemas.ts";
import { eventStream } from "./sse.ts";

const AfterSeq = SeqParam.optional().meta({
  description: "Replay events after this seq first; the Last-Event-ID header wins over it",
});

const StreamQuery = z.strictObject({
  run_id: listParam(z.string().min(1), "Only events of these runs").optional(),
  flow_run_id: listParam(z.string().min(1), "Only events of these flow runs and their task runs")
    .optional(),
  after_seq: AfterSeq,
});

const STREAM_DOC = "Messages: `event: transition` (`id:` = event seq, data = Event), " +
  "`event: log` (no id, data = Log; flow run stream only) and `event: heartbeat`. " +
  "Reconnect with `Last-Event-ID` to receive the missed transitions before live ones.";

/** Registers `/stream/events` and `/stream/flow-runs/:id`. */
export function streamRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;

  router.add({
    method: "get",
    path: "/stream/events",
    tag: "Streams",
    summary: "Stream committed events (SSE)",
    description: STREAM_DOC,
    query: StreamQuery,
    stream: true,
  }, (c, { query }) => {
    const runIds = new Set(query.run_id ?? []);
    const flowRunIds = new Set(query.flow_run_id ?? []);
    const everything = runIds.size === 0 && flowRunIds.size === 0;
    const parentOf = parentLookup(engine);
    return sse(c, deps, {
      afterSeq: lastEventId(c) ?? query.after_seq,
      heartbeatMs,
      includes: (event) =>
        everything || runIds.has(event.runId) || flowRunIds.has(event.runId) ||
        (event.runKind === "task" && flowRunIds.has(parentOf(event) ?? "")),
    });
  });

  router.add({
    method: "get",
    path: "/stream/flow-runs/:id",
    tag: "Streams",
    summary: "Stream the events and log lines of a flow run and its task runs (SSE)",
    description: STREAM_DOC,
    params: { id: "Flow run id" },
    query: z.strictObject({ after_seq: AfterSeq }),
    stream: true,
  }, (c, { query, params }) => {
    const run = runOfKind(engine, params.id!, "flow");
    const parentOf = parentLookup(engine);
    return sse(c, deps, {
      afterSeq: lastEventId(c) ?? query.after_seq,
      heartbeatMs,
      includes: (event) =>
        event.runId === run.id || (event.runKind === "task" && parentOf(event) === run.id),
      includesLog: (log) => log.flowRunId === run.id,
    });
  });
}

function sse(
  c: Context,
  deps: AppDeps,
  options: Omit<Parameters<typeof eventStream>[0], "engine" | "signals">,
): Response {
  const signals = [clientGone(c), ...(deps.signal ? [deps.signal] : [])];
  const body = eventStream({ ...options, engine: deps.engine, signals });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}

// Under Deno.serve the response's `completed` promise settles when the client
// leaves (and Deno cancels the body); elsewhere (app.request, fetch shims) the
// request's signal is what aborts.
function clientGone(c: Context): AbortSignal {
  const completed = (c.env as { completed?: Promise<void> } | undefined)?.completed;
  if (!(completed instanceof Promise)) return c.req.raw.signal;
  const controller = new AbortController();
  const abort = () => controller.abort();
  completed.then(abort, abort);
  return controller.signal;
}

function lastEventId(c: Context): number | undefined {
  const header = c.req.header("last-event-id");
  if (header === undefined || header.trim() === "") return undefined;
  const seq = Number(header);
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new HttpError(400, "invalid_request", `Last-Event-ID "${header}" is not an event seq`);
  }
  return seq;
}

/** The flow run a task run's event belongs to, remembered per stream. */
function parentLookup(engine: Engine): (event: EngineEvent) => string | undefined {
  const parents = new Map<string, string | null>();
  return (event) => {
    let parent = parents.get(event.runId);
    if (parent === undefined) {
      const fromCreation = event.from === null ? event.data?.["parentId"] : undefined;
      parent = typeof fromCreation === "string"
        ? fromCreation
        : engine.getRun(event.runId)?.parentId ?? null;
      if (parents.size >= 50_000) parents.clear();
      parents.set(event.runId, parent);
    }
    return parent ?? undefined;
  };
}
