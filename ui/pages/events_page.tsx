import type { IronEvent } from "../../engine/events/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import type { PageContext } from "../types.ts";

/** The events page's filters, as typed (times as `datetime-local` text, UTC). */
export interface EventFilterFields {
  prefix: string;
  resource: string;
  since: string;
  until: string;
}

/** Props of {@linkcode EventsPage}. */
export interface EventsPageProps {
  ctx: PageContext;
  filters: EventFilterFields;
  /** What is wrong with a filter, by field name. */
  problems: Partial<Record<keyof EventFilterFields, string>>;
  /** Newest first. */
  events: readonly IronEvent[];
  /** Pages of resources (by resource id) that the events name. */
  links: Readonly<Record<string, string>>;
  nextCursor: string | null;
  /** Whether this is a later page (live updates are for the first). */
  paged: boolean;
  /** SSE URL that announces new events; none on later pages. */
  stream?: string;
}

const FIELDS: readonly [keyof EventFilterFields, string, "text" | "datetime-local"][] = [
  ["prefix", "Event name starts with", "text"],
  ["resource", "Resource id starts with", "text"],
  ["since", "From (UTC)", "datetime-local"],
  ["until", "Until (UTC)", "datetime-local"],
];

/** The event feed: state changes and custom events, newest first, with filters. */
export function EventsPage(props: EventsPageProps) {
  const { ctx, filters, problems, events, links, nextCursor, paged, stream } = props;
  const query = new URLSearchParams(
    Object.entries(filters).filter(([, value]) => value !== ""),
  );
  const withCursor = (cursor: string) => {
    const params = new URLSearchParams(query);
    params.set("cursor", cursor);
    return `/events?${params}`;
  };
  return (
    <Layout title="Events" ctx={ctx} active="events" {...(stream ? { stream } : {})}>
      <h1>Events</h1>
      <form method="get" action="/events" class="fields panel" data-form="event-filters">
        {FIELDS.map(([name, label, type]) => {
          const common = {
            name,
            value: filters[name],
            "aria-invalid": problems[name] ? "true" as const : undefined,
            "aria-describedby": problems[name] ? `${name}-error` : undefined,
          };
          return (
            <label key={name}>
              <span>{label}</span>
              {type === "text"
                ? <input type="text" {...common} />
                : <input type="datetime-local" {...common} />}
              {problems[name] && (
                <span id={`${name}-error`} class="field-error" role="alert">{problems[name]}</span>
              )}
            </label>
          );
        })}
        <button type="submit">Filter</button>
        {query.size > 0 && <a href="/events">Clear</a>}
      </form>
      <section class="panel flush" tabIndex={0} data-live="events" aria-label="Events">
        {events.length === 0
          ? (
            <EmptyState
              title={query.size > 0 || paged ? "No events match" : "No events yet"}
              command={`curl -X POST localhost:4200/api/events \\\n  -H 'content-type: application/json' \\\n  -d '{"event":"acme.file.landed","resource":"acme.bucket.raw"}'`}
            >
              <p>
                Every state change of a run is an event, and so is every event posted to the API,
                emitted by a flow, made by a webhook or fired by an automation. They appear here,
                newest first, as they happen:
              </p>
            </EmptyState>
          )
          : (
            <table class="tight">
              <thead>
                <tr>
                  <th>Occurred</th>
                  <th>Event</th>
                  <th>Resource</th>
                  <th>Related</th>
                  <th>Payload</th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <tr key={event.id} data-event-id={event.id}>
                    <td>
                      <TimeLabel ms={event.occurred} />
                    </td>
                    <td class="mono small">{event.event}</td>
                    <td class="mono small">
                      <Resource id={event.resource} links={links} />
                    </td>
                    <td class="small">
                      {event.related.map((r, i) => (
                        <span key={`${r.role}:${r.id}`}>
                          {i > 0 && ", "}
                          <span class="muted">{r.role}</span> <Resource id={r.id} links={links} />
                        </span>
                      ))}
                    </td>
                    <td>
                      {Object.keys(event.payload).length > 0 && (
                        <details>
                          <summary>JSON</summary>
                          <pre>{JSON.stringify(event.payload, null, 2)}</pre>
                        </details>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <Pager
        firstHref={paged ? `/events${query.size ? `?${query}` : ""}` : null}
        nextHref={nextCursor === null ? null : withCursor(nextCursor)}
        label="Event pages"
        firstLabel="« Newest events"
      />
    </Layout>
  );
}

function Resource({ id, links }: { id: string; links: Readonly<Record<string, string>> }) {
  const href = links[id];
  return href ? <a href={href} class="mono">{id}</a> : <span class="mono">{id}</span>;
}
