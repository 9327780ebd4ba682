/**
 * Wire shapes of events and webhooks: zod schemas with their derived types,
 * and the conversions between engine records and the API's snake_case JSON.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import type { Json } from "../engine/mod.ts";
import type { NewEvent, Webhook } from "../engine/events/mod.ts";
import { IsoTimeText } from "./schemas.ts";
import { JsonSchema } from "./run_schemas.ts";
import { MAX_EVENT_BATCH } from "./event_records.ts";

export { fromApiEvent, MAX_EVENT_BATCH, toApiEvent } from "./event_records.ts";

const JsonValue = JsonSchema;

/** A related resource on the wire. */
export const RelatedSchema = z.strictObject({
  id: z.string().min(1).max(1024),
  role: z.string().min(1).max(200),
});

/** An event as the API answers it. */
export const EventSchema = z.object({
  id: z.string(),
  event: z.string(),
  occurred: z.string().meta({ format: "date-time" }),
  resource: z.string(),
  related: z.array(RelatedSchema),
  payload: z.record(z.string(), JsonValue),
});

/** The body of `POST /api/events` (and of `emitEvent()` over HTTP). */
export const NewEventBody = z.strictObject({
  event: z.string().min(1).max(1024).meta({ description: "Dotted name, e.g. acme.file.landed" }),
  resource: z.string().min(1).max(1024).meta({ description: "Id of what the event is about" }),
  related: z.array(RelatedSchema).max(100).optional(),
  payload: z.record(z.string(), JsonValue).optional(),
  occurred: IsoTimeText.optional().meta({ description: "Default: when the server received it" }),
});
/** The body of `POST /api/events`. */
export type NewEventBody = z.infer<typeof NewEventBody>;

/** The body of `POST /api/events/batch`: events recorded together, all or none. */
export const NewEventBatchBody = z.strictObject({
  events: z.array(NewEventBody).min(1).max(MAX_EVENT_BATCH),
});

/** A request body as the event log's input. */
export function fromNewEventBody(body: NewEventBody): NewEvent {
  return {
    event: body.event,
    resource: body.resource,
    ...(body.related ? { related: body.related } : {}),
    ...(body.payload ? { payload: body.payload as { [key: string]: Json } } : {}),
    ...(body.occurred ? { occurred: Date.parse(body.occurred) } : {}),
  };
}

/** A webhook's template on the wire. */
export const WebhookTemplateSchema = z.strictObject({
  event: z.string().min(1).max(1024),
  resource: z.string().min(1).max(1024),
  payload: JsonValue.optional(),
  related: JsonValue.optional(),
});

/** The body of `PUT /api/webhooks/{slug}`. */
export const PutWebhookBody = z.strictObject({
  template: WebhookTemplateSchema,
  description: z.string().max(2000).optional(),
  enabled: z.boolean().optional(),
  rotate_token: z.boolean().optional().meta({
    description: "Make a new token (answered once); a new webhook always gets one",
  }),
});

/** A webhook as the API answers it (never with its token, except once as `token`). */
export const WebhookSchema = z.object({
  slug: z.string(),
  description: z.string(),
  template: WebhookTemplateSchema,
  enabled: z.boolean(),
  created: z.string(),
  updated: z.string(),
  token: z.string().optional().meta({
    description: "The secret token: only in the answer that created or rotated it",
  }),
});

/** A stored webhook as API JSON (without its token). */
export function toApiWebhook(webhook: Webhook): z.infer<typeof WebhookSchema> {
  return {
    slug: webhook.slug,
    description: webhook.description,
    template: webhook.template as z.infer<typeof WebhookTemplateSchema>,
    enabled: webhook.enabled,
    created: new Date(webhook.createdAt).toISOString(),
    updated: new Date(webhook.updatedAt).toISOString(),
  };
}
