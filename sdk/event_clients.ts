/**
 * Where custom events go: into an engine of this process, or to a server.
 * Kept apart from `emitEvent()` so control planes can build their client
 * without importing the run context.
 *
 * @module
 */
import { appendEvents, type IronEvent, type NewEvent } from "../engine/events/mod.ts";
import type { Engine } from "../engine/mod.ts";
import { type HttpClient, RemoteError } from "./http_client.ts";
import { fromApiEvent, MAX_EVENT_BATCH } from "../wire/event_records.ts";

/** Where custom events go: the control plane's part that records them. */
export interface EventClient {
  emit(input: NewEvent): Promise<IronEvent>;
}

/** Records events in an engine of this process. */
export function createLocalEventClient(engine: Engine): EventClient {
  return {
    async emit(input) {
      const [event] = await engine.transact((tx) =>
        appendEvents(tx, [input], { now: engine.clock.now() })
      );
      return event!;
    },
  };
}

/**
 * Records events on a server. An event emitted while no request is in flight
 * goes at once (`POST /api/events`); those emitted meanwhile wait for it and
 * then go together (`POST /api/events/batch`, up to its limit), so a burst of
 * events costs a few requests, not one each, and a lone event waits for
 * nothing. The batch route records all or none: when it refuses a batch, each
 * of its events is sent alone, so only the invalid one's caller gets the error.
 */
export function createRemoteEventClient(client: Pick<HttpClient, "request">): EventClient {
  let waiting: Pending[] = [];
  let sending = false;
  const send = async (batch: Pending[]) => {
    if (batch.length === 1) return await sendAlone(batch[0]!);
    try {
      const answer = await client.request<{ items: ApiEvent[] }>("POST", "/api/events/batch", {
        events: batch.map((pending) => pending.body),
      });
      batch.forEach((pending, i) => pending.resolve(fromApiEvent(answer!.items[i]!)));
    } catch (error) {
      if (!(error instanceof RemoteError && error.status === 400)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      for (const pending of batch) await sendAlone(pending);
    }
  };
  const sendAlone = async (pending: Pending) => {
    try {
      const answer = await client.request<ApiEvent>("POST", "/api/events", pending.body);
      pending.resolve(fromApiEvent(answer!));
    } catch (error) {
      pending.reject(error);
    }
  };
  const drain = async () => {
    sending = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, MAX_EVENT_BATCH);
        waiting = waiting.slice(batch.length);
        await send(batch);
      }
    } finally {
      sending = false;
    }
  };
  return {
    emit(input) {
      return new Promise<IronEvent>((resolve, reject) => {
        waiting.push({ body: toNewEventBody(input), resolve, reject });
        if (!sending) void drain();
      });
    },
  };
}

type ApiEvent = Parameters<typeof fromApiEvent>[0];

interface Pending {
  body: Record<string, unknown>;
  resolve(event: IronEvent): void;
  reject(error: unknown): void;
}

function toNewEventBody(input: NewEvent): Record<string, unknown> {
  return {
    event: input.event,
    resource: input.resource,
    related: input.related ?? [],
    payload: input.payload ?? {},
    ...(input.occurred !== undefined ? { occurred: new Date(input.occurred).toISOString() } : {}),
  };
}
