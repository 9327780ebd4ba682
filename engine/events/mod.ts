/**
 * Events: state changes of runs (read from the engine's history) and custom
 * events (posted, emitted, made by webhooks and automations) as one log.
 *
 * @example Append a custom event and read the log
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * import { appendEvents, readEvents } from "./mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * await engine.transact((tx) =>
 *   appendEvents(tx, [{ event: "acme.file.landed", resource: "acme.bucket.raw" }], { now: clock.now() })
 * );
 * const page = readEvents(engine.reader, { now: clock.now(), filter: { prefixes: ["acme."] } });
 * console.log(page.items.map((e) => e.event)); // ["acme.file.landed"]
 * ```
 *
 * @module
 */
export {
  EVENT_NAME_PATTERN,
  type EventFilter,
  eventMatches,
  type IronEvent,
  namePatternMatches,
  type NewEvent,
  newEventProblems,
  type RelatedResource,
  RESERVED_PREFIX,
} from "./model.ts";
export { runResource, stateChangeEvent } from "./state_events.ts";
export {
  renderTemplate,
  TemplateError,
  templateProblems,
  type TemplateSources,
} from "./template.ts";
export {
  appendEvents,
  decodeCursor,
  DEFAULT_EVENT_RETENTION_MS,
  encodeCursor,
  EVENT_COLLECTION,
  type EventPosition,
  type EventRead,
  type EventReadOptions,
  LOG_START,
  logEnd,
  readEvents,
} from "./log.ts";
export {
  deleteWebhook,
  getWebhook,
  listWebhooks,
  putWebhook,
  SLUG_PATTERN,
  type Webhook,
  WebhookError,
  webhookEvent,
  webhookProblems,
  type WebhookTemplate,
} from "./webhooks.ts";
