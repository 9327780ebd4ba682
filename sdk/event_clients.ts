/**
 * Where custom events go: into an engine of this process, or to a server.
 * Kept apart from `emitEvent()` so control planes can build their client
 * without importing the run context.
 *
 * @module
 */
import { appendEvents, type IronEvent, type NewEvent } from "../engine/events/mod.ts";
import type { Engine } from "../engine/mod.ts";
import type { HttpClient } from "./http_client.ts";
import { fromApiEvent } from "../wire/events.ts";

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

/** Records events on a server through `POST /api/events`. */
export function createRemoteEventClient(client: Pick<HttpClient, "request">): EventClient {
  return {
    async emit(input) {
      const answer = await client.request<Parameters<typeof fromApiEvent>[0]>(
        "POST",
        "/api/events",
        {
          event: input.event,
          resource: input.resource,
          related: input.related ?? [],
          payload: input.payload ?? {},
          ...(input.occurred !== undefined
            ? { occurred: new Date(input.occurred).toISOString() }
            : {}),
        },
      );
      return fromApiEvent(answer!);
    },
  };
}
