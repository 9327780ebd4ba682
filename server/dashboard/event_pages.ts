/**
 * The events page: the event feed newest first, filtered by name prefix,
 * resource prefix and time, paged by cursor, and kept current by the event
 * stream while it shows the newest page.
 *
 * @module
 */
import type { Hono } from "hono";
import { encodeCursor, type EventFilter, logEnd } from "../../engine/events/mod.ts";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { type EventFilterFields, EventsPage } from "../../ui/mod.ts";
import { recentEvents, resourceLinks } from "./events_data.ts";
import type { PageKit } from "./kit.ts";

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** The filter of the page's query, and what is wrong with its fields. */
export function eventFilterOf(params: URLSearchParams): {
  fields: EventFilterFields;
  filter: EventFilter;
  problems: Partial<Record<keyof EventFilterFields, string>>;
} {
  const text = (name: string) => (params.get(name) ?? "").trim();
  const fields = {
    prefix: text("prefix"),
    resource: text("resource"),
    since: text("since"),
    until: text("until"),
  };
  const problems: Partial<Record<keyof EventFilterFields, string>> = {};
  const time = (name: "since" | "until"): number | undefined => {
    const value = fields[name];
    if (value === "") return undefined;
    const ms = DATETIME_LOCAL.test(value) ? Date.parse(`${value}Z`) : NaN;
    if (Number.isNaN(ms)) {
      problems[name] = `"${value}" is not a date and time like 2026-01-31T09:30`;
      return undefined;
    }
    return ms;
  };
  const since = time("since");
  const until = time("until");
  if (since !== undefined && until !== undefined && until <= since) {
    problems.until = `"${fields.until}" is not after "${fields.since}"`;
  }
  const filter: EventFilter = {
    ...(fields.prefix ? { prefixes: [fields.prefix] } : {}),
    ...(fields.resource ? { resources: [`${fields.resource}*`] } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined && problems.until === undefined ? { until } : {}),
  };
  return { fields, filter, problems };
}

/** Registers `GET /events`. */
export function eventPages(pages: Hono, kit: PageKit): void {
  const { engine } = kit.deps;
  const deployments = new DeploymentService(engine);
  pages.get(
    "/events",
    kit.page((c, ctx) => {
      const params = new URL(c.req.url).searchParams;
      const { fields, filter, problems } = eventFilterOf(params);
      const cursor = params.get("cursor");
      const page = recentEvents(engine.reader, { filter, cursor, now: ctx.now });
      const links = resourceLinks(
        engine.reader,
        page.items,
        (id) => deployments.find(id)?.name,
      );
      // The newest page follows the log from where this render read it.
      let stream: string | undefined;
      if (cursor === null && filter.until === undefined) {
        const follow = new URLSearchParams({
          cursor: encodeCursor(logEnd(engine.reader, ctx.now)),
        });
        if (fields.prefix) follow.set("prefix", fields.prefix);
        if (fields.resource) follow.set("resource", `${fields.resource}*`);
        stream = `/api/events/stream?${follow}`;
      }
      return EventsPage({
        ctx,
        filters: fields,
        problems,
        events: page.items,
        links,
        nextCursor: page.nextCursor,
        paged: cursor !== null,
        ...(stream ? { stream } : {}),
      });
    }),
  );
}
