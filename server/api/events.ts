/**
 * The event log over HTTP: post custom events, list the log with filters and
 * a cursor, and follow it as a server-sent event stream.
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import {
  appendEvents,
  decodeCursor,
  encodeCursor,
  type EventFilter,
  type EventPosition,
  logEnd,
  newEventProblems,
  readEvents,
} from "../../engine/events/mod.ts";
import { InvalidArgumentError } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import {
  EventSchema,
  fromNewEventBody,
  MAX_EVENT_BATCH,
  NewEventBatchBody,
  NewEventBody,
  toApiEvent,
} from "../../wire/events.ts";
import { CursorParam, IsoTimeParam, LimitParam, listParam } from "../../wire/schemas.ts";
import type { ApiRouter } from "./router.ts";
import { frame } from "./_event_hub.ts";

const TAG = "Events";

const FilterQuery = {
  prefix: listParam(z.string().min(1), "Event names starting with any of these").optional(),
  resource: listParam(
    z.string().min(1),
    "The event's resource or a related one is one of these (a trailing * matches a prefix)",
  ).optional(),
  since: IsoTimeParam.optional().meta({ description: "Occurred at or after" }),
  until: IsoTimeParam.optional().meta({ description: "Occurred before" }),
};

const ListQuery = z.strictObject({
  ...FilterQuery,
  cursor: CursorParam.optional(),
  limit: LimitParam.optional(),
});

const StreamQuery = z.strictObject({
  ...FilterQuery,
  cursor: CursorParam.optional().meta({
    description: "Start after this cursor (default: the end of the log); Last-Event-ID wins",
  }),
});

const ListAnswer = z.object({
  items: z.array(EventSchema),
  next_cursor: z.string().nullable(),
  resume_cursor: z.string().meta({
    description: "Where to read on later for events newer than this page (tailing)",
  }),
});

/** A filter from the query string. */
function filterOf(query: z.infer<z.ZodObject<typeof FilterQuery>>): EventFilter {
  return {
    ...(query.prefix ? { prefixes: query.prefix } : {}),
    ...(query.resource ? { resources: query.resource } : {}),
    ...(query.since !== undefined ? { since: query.since } : {}),
    ...(query.until !== undefined ? { until: query.until } : {}),
  };
}

/** Registers `/events` and `/events/stream`. */
export function eventRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine, clock } = deps;
  const pollMs = deps.eventPollMs ?? 250;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;

  router.add({
    method: "post",
    path: "/events",
    tag: TAG,
    summary: "Record a custom event",
    description: "Names starting with `ironflow.` are reserved for IronFlow's own events.",
    body: NewEventBody,
    status: 201,
    response: EventSchema,
  }, async (c, { body }) => {
    const input = fromNewEventBody(body);
    const problems = newEventProblems(input);
    if (problems.length > 0) {
      throw new InvalidArgumentError(`Invalid event: ${problems.join("; ")}`, {
        code: "invalid_event",
      });
    }
    const [event] = await engine.transact((tx) =>
      appendEvents(tx, [input], { now: clock.now(), ...retention(deps) })
    );
    return c.json(toApiEvent(event!), 201);
  });

  router.add({
    method: "post",
    path: "/events/batch",
    tag: TAG,
    summary: "Record custom events together",
    description:
      `1 to ${MAX_EVENT_BATCH} events in one transaction: all are recorded, or none when one is invalid.`,
    body: NewEventBatchBody,
    status: 201,
    response: z.object({ items: z.array(EventSchema) }),
  }, async (c, { body }) => {
    const inputs = body.events.map(fromNewEventBody);
    const problems = inputs.flatMap((input, i) =>
      newEventProblems(input).map((problem) => `events[${i}]: ${problem}`)
    );
    if (problems.length > 0) {
      throw new InvalidArgumentError(`Invalid events: ${problems.join("; ")}`, {
        code: "invalid_event",
      });
    }
    const events = await engine.transact((tx) =>
      appendEvents(tx, inputs, { now: clock.now(), ...retention(deps) })
    );
    return c.json({ items: events.map(toApiEvent) }, 201);
  });

  router.add({
    method: "get",
    path: "/events",
    tag: TAG,
    summary: "List events: run state changes and custom events, oldest first",
    query: ListQuery,
    response: ListAnswer,
  }, (c, { query }) => {
    const page = readEvents(engine.reader, {
      filter: filterOf(query),
      ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
      limit: query.limit ?? 50,
      now: clock.now(),
    });
    const resume = encodeCursor(page.next);
    return c.json({
      items: page.items.map(toApiEvent),
      next_cursor: page.more ? resume : null,
      resume_cursor: resume,
    });
  });

  router.add({
    method: "get",
    path: "/events/stream",
    tag: TAG,
    summary: "Follow the event log (SSE)",
    description: "Messages: `event: event` (`id:` = a cursor, data = Event) and " +
      "`event: heartbeat`. Reconnect with `Last-Event-ID` to get what was missed.",
    query: StreamQuery,
    stream: true,
  }, (c, { query }) => {
    const given = c.req.header("last-event-id") ?? query.cursor;
    const start = given ? decodeCursor(given) : logEnd(engine.reader, clock.now());
    return streamResponse(c, followLog(deps, filterOf(query), start, { pollMs, heartbeatMs }));
  });
}

function retention(deps: AppDeps): { retentionMs?: number } {
  return deps.eventRetentionMs !== undefined ? { retentionMs: deps.eventRetentionMs } : {};
}

// Reads the log after its position every `pollMs` (which also catches the
// writes of other processes on the same database) until the client leaves.
function followLog(
  deps: AppDeps,
  filter: EventFilter,
  start: EventPosition,
  timing: { pollMs: number; heartbeatMs: number },
): (write: (text: string) => void, signal: AbortSignal) => Promise<void> {
  return async (write, signal) => {
    let position = start;
    let sinceBeat = 0;
    while (!signal.aborted) {
      const page = readEvents(deps.engine.reader, {
        filter,
        after: position,
        limit: 500,
        now: deps.clock.now(),
      });
      page.items.forEach((event, i) => {
        write(frameWithCursor(toApiEvent(event), encodeCursor(page.positions[i]!)));
      });
      position = page.next;
      if (page.more) continue;
      sinceBeat += timing.pollMs;
      if (sinceBeat >= timing.heartbeatMs) {
        sinceBeat = 0;
        write(frame("heartbeat", { at: new Date().toISOString() }));
      }
      await new Promise((resolve) => setTimeout(resolve, timing.pollMs));
    }
  };
}

// Each message's id is the position just after it: a client resuming from
// it gets nothing twice and misses nothing.
function frameWithCursor(data: unknown, cursor: string): string {
  return `event: event\nid: ${cursor}\ndata: ${JSON.stringify(data)}\n\n`;
}

function streamResponse(
  c: Context,
  run: (write: (text: string) => void, signal: AbortSignal) => Promise<void>,
): Response {
  const encoder = new TextEncoder();
  const stop = new AbortController();
  const signals = [c.req.raw.signal, stop.signal];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const signal = AbortSignal.any(signals);
      run((text) => controller.enqueue(encoder.encode(text)), signal)
        .catch(() => {})
        .finally(() => {
          try {
            controller.close();
          } catch { /* already closed */ }
        });
    },
    cancel() {
      stop.abort();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}
