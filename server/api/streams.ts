/**
 * SSE routes: every committed event (optionally of some runs), the events
 * and log lines of one flow run and its task runs, and subscriptions: one
 * stream per client process whose set of runs changes by small POSTs.
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { EventHub, type Watch } from "./_event_hub.ts";
import { HttpError } from "../errors.ts";
import { runOfKind } from "./lookup.ts";
import type { ApiRouter } from "./router.ts";
import { listParam, SeqParam } from "../../wire/schemas.ts";
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

const RunIdList = z.array(z.string().min(1).max(200)).max(10_000);

const SubscriptionChange = z.strictObject({
  replace: RunIdList.optional().meta({
    description: "Follow exactly these runs (applied before add and remove)",
  }),
  add: RunIdList.optional().meta({ description: "Follow these runs too" }),
  remove: RunIdList.optional().meta({ description: "Stop following these runs" }),
});

/** Subscriptions no stream follows are forgotten after this long. */
const SUBSCRIPTION_IDLE_MS = 10 * 60_000;
const MAX_SUBSCRIPTIONS = 10_000;

const STREAM_DOC = "Messages: `event: transition` (`id:` = event seq, data = Event), " +
  "`event: log` (no id, data = Log; flow run stream only), `event: artifact` (no id, data = " +
  "`{ id, flow_run_id }` when an artifact of the flow run is created or changes; flow run " +
  "stream only) and `event: heartbeat`. " +
  "Reconnect with `Last-Event-ID` to receive the missed transitions before live ones.";

/** Registers `/stream/events` and `/stream/flow-runs/:id`. */
export function streamRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const hub = new EventHub(engine, () => deps.clock.now());
  const subscriptions = new Map<string, Watch>();

  // A subscription exists once a client names it (change or stream); an idle
  // one is dropped when others are made, so a vanished client costs nothing.
  const subscription = (id: string): Watch => {
    let watch = subscriptions.get(id);
    if (watch) return watch;
    if (subscriptions.size >= MAX_SUBSCRIPTIONS) forgetIdle(subscriptions, deps.clock.now());
    if (subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw new HttpError(429, "too_many_subscriptions", "Too many open event subscriptions");
    }
    subscriptions.set(id, watch = hub.watch({}));
    return watch;
  };

  router.add({
    method: "get",
    path: "/stream/events",
    tag: "Streams",
    summary: "Stream committed events (SSE)",
    description: STREAM_DOC,
    query: StreamQuery,
    stream: true,
  }, (c, { query }) => {
    const runIds = query.run_id ?? [];
    const flowRunIds = query.flow_run_id ?? [];
    const all = runIds.length === 0 && flowRunIds.length === 0;
    return sse(c, deps, hub, {
      watch: hub.watch({ all, runIds, flowRunIds }),
      afterSeq: lastEventId(c) ?? query.after_seq,
      heartbeatMs,
    });
  });

  router.add({
    method: "post",
    path: "/stream/subscriptions/:id",
    tag: "Streams",
    summary: "Change the runs an event subscription follows (creates it on first use)",
    description: "A client process keeps one subscription (an id it chooses) and one stream " +
      "of it open, and adds and removes the runs it watches. Idle subscriptions are forgotten " +
      "after 10 minutes: a client that reconnects sends `replace` first.",
    params: { id: "Subscription id, chosen by the client" },
    body: SubscriptionChange,
    response: z.object({ id: z.string(), run_count: z.number().int() }),
  }, (c, { params, body }) => {
    const watch = subscription(params.id!);
    if (body.replace) watch.replaceRuns(body.replace);
    if (body.add) watch.addRuns(body.add);
    if (body.remove) watch.removeRuns(body.remove);
    return c.json({ id: params.id!, run_count: watch.runIds.size });
  });

  router.add({
    method: "delete",
    path: "/stream/subscriptions/:id",
    tag: "Streams",
    summary: "Forget an event subscription",
    params: { id: "Subscription id" },
    response: z.object({ id: z.string() }),
  }, (c, { params }) => {
    const watch = subscriptions.get(params.id!);
    if (watch) {
      watch.replaceRuns([]);
      subscriptions.delete(params.id!);
    }
    return c.json({ id: params.id! });
  });

  router.add({
    method: "get",
    path: "/stream/subscriptions/:id/events",
    tag: "Streams",
    summary: "Stream the committed events of a subscription's runs (SSE)",
    description: STREAM_DOC + " The runs followed are the subscription's at each event.",
    params: { id: "Subscription id" },
    query: z.strictObject({ after_seq: AfterSeq }),
    stream: true,
  }, (c, { query, params }) =>
    sse(c, deps, hub, {
      watch: subscription(params.id!),
      afterSeq: lastEventId(c) ?? query.after_seq,
      heartbeatMs,
    }));

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
    return sse(c, deps, hub, {
      watch: hub.watch({ flowRunIds: [run.id], logsOf: run.id }),
      afterSeq: lastEventId(c) ?? query.after_seq,
      heartbeatMs,
    });
  });
}

function forgetIdle(subscriptions: Map<string, Watch>, now: number): void {
  for (const [id, watch] of subscriptions) {
    if (watch.idleSince !== undefined && now - watch.idleSince >= SUBSCRIPTION_IDLE_MS) {
      subscriptions.delete(id);
    }
  }
}

function sse(
  c: Context,
  deps: AppDeps,
  hub: EventHub,
  options: Omit<Parameters<typeof eventStream>[0], "engine" | "signals" | "hub">,
): Response {
  const signals = [clientGone(c), ...(deps.signal ? [deps.signal] : [])];
  const body = eventStream({ ...options, engine: deps.engine, hub, signals });
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
