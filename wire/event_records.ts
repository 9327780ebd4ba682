/**
 * Events to and from API JSON, without the schemas (and zod): the SDK's
 * remote client imports these while a run process starts.
 *
 * @module
 */
import type { z } from "npm:zod@^4.6.7";
import type { IronEvent } from "../engine/events/mod.ts";
import type { EventSchema } from "./events.ts";

/** Most events `POST /api/events/batch` takes in one request. */
export const MAX_EVENT_BATCH = 500;

/** An engine event record as API JSON. */
export function toApiEvent(event: IronEvent): z.infer<typeof EventSchema> {
  return { ...event, occurred: new Date(event.occurred).toISOString() };
}

/** API JSON back to an event record. */
export function fromApiEvent(event: z.infer<typeof EventSchema>): IronEvent {
  return { ...event, occurred: Date.parse(event.occurred) } as IronEvent;
}
