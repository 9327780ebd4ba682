/**
 * Webhooks: a slug, a secret token (stored only as its SHA-256) and a
 * template that turns the JSON body another service posts into an event.
 *
 * @module
 */
import {
  type DocumentAccess,
  type DocumentReader,
  InvalidArgumentError,
  type Json,
} from "../core/mod.ts";
import type { NewEvent, RelatedResource } from "./model.ts";
import { newEventProblems } from "./model.ts";
import {
  renderTemplate,
  TemplateError,
  templateProblems,
  type TemplateSources,
} from "./template.ts";

/** Collection of webhooks; key: slug. */
export const WEBHOOK_COLLECTION = "webhook";

/** Webhook slugs: lowercase words joined by `-` or `_`. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Roots a webhook template reads: the posted body (and `variables` once they exist). */
export const WEBHOOK_TEMPLATE_ROOTS = ["body"] as const;

/** How a webhook's event is made: each field a template over `{ body }`. */
export interface WebhookTemplate {
  event: string;
  resource: string;
  payload?: Json;
  related?: Json;
}

/** A webhook as stored. */
export interface Webhook {
  slug: string;
  description: string;
  template: WebhookTemplate;
  /** SHA-256 (hex) of the token callers send. */
  tokenSha256: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A webhook's settings are wrong, or its template made no valid event. */
export class WebhookError extends InvalidArgumentError {
  override name = "WebhookError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "invalid_event" });
  }
}

/** What is wrong with a webhook's slug and template (empty: nothing). */
export function webhookProblems(slug: string, template: WebhookTemplate): string[] {
  const problems: string[] = [];
  if (!SLUG_PATTERN.test(slug)) {
    problems.push(`slug "${slug}" must be 1 to 63 of a-z 0-9 _ - and start with a letter or digit`);
  }
  problems.push(...templateProblems(template as unknown as Json, [...WEBHOOK_TEMPLATE_ROOTS]));
  return problems;
}

/**
 * The event a webhook makes of a posted body; throws {@linkcode WebhookError}
 * when the template does not yield a valid event.
 *
 * @example
 * ```ts
 * import { webhookEvent } from "./webhooks.ts";
 * const event = webhookEvent(
 *   { event: "acme.file.landed", resource: "acme.bucket.{{ body.bucket }}", payload: "{{ body }}" },
 *   { bucket: "raw", name: "a.csv" },
 * );
 * console.log(event.resource); // acme.bucket.raw
 * ```
 */
export function webhookEvent(
  template: WebhookTemplate,
  body: Json,
  extra: TemplateSources = {},
): NewEvent {
  const sources = { ...extra, body };
  try {
    return madeEvent(template, sources);
  } catch (error) {
    if (error instanceof TemplateError) throw new WebhookError(error.message, { cause: error });
    throw error;
  }
}

function madeEvent(template: WebhookTemplate, sources: TemplateSources): NewEvent {
  const event = renderTemplate(template.event, sources);
  const resource = renderTemplate(template.resource, sources);
  const payload = template.payload === undefined ? {} : renderTemplate(template.payload, sources);
  const related = template.related === undefined ? [] : renderTemplate(template.related, sources);
  if (typeof event !== "string" || typeof resource !== "string") {
    throw new WebhookError("The webhook's template must render event and resource as strings");
  }
  const made: NewEvent = {
    event,
    resource,
    payload: isObject(payload) ? payload : { value: payload },
    related: Array.isArray(related) ? related as unknown as RelatedResource[] : [],
  };
  const problems = newEventProblems(made);
  if (problems.length > 0) {
    throw new WebhookError(`The webhook's template made an invalid event: ${problems.join("; ")}`);
  }
  return made;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The webhook at `slug`, if any. */
export function getWebhook(docs: DocumentReader, slug: string): Webhook | undefined {
  return docs.getDocument(WEBHOOK_COLLECTION, slug)?.data as Webhook | undefined;
}

/** Every webhook, by slug. */
export function listWebhooks(docs: DocumentReader): Webhook[] {
  return docs.listDocuments({ collection: WEBHOOK_COLLECTION, limit: 1000 })
    .map((doc) => doc.data as unknown as Webhook);
}

/** Stores a webhook (creates or replaces it). */
export function putWebhook(docs: DocumentAccess, webhook: Webhook): void {
  docs.putDocument({
    collection: WEBHOOK_COLLECTION,
    key: webhook.slug,
    ref: null,
    data: webhook as unknown as Json,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
    expiresAt: null,
  });
}

/** Deletes a webhook; returns whether it existed. */
export function deleteWebhook(docs: DocumentAccess, slug: string): boolean {
  return docs.deleteDocument(WEBHOOK_COLLECTION, slug);
}
