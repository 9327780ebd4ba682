import type { EngineEvent } from "../../engine/mod.ts";
import { StateBadge } from "./state_badge.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode EventTable}. */
export interface EventTableProps {
  events: readonly EngineEvent[];
}

/** The event history of a run: every committed transition with its rules and message. */
export function EventTable({ events }: EventTableProps) {
  return (
    <table class="tight">
      <thead>
        <tr>
          <th class="num">Seq</th>
          <th>Time</th>
          <th>Transition</th>
          <th>Kind</th>
          <th>Rules</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const message = event.data?.["message"];
          return (
            <tr key={event.seq}>
              <td class="num mono">{event.seq}</td>
              <td>
                <TimeLabel ms={event.at} />
              </td>
              <td>
                {event.from === null
                  ? <span class="muted">created</span>
                  : <span class={`s-${event.from}`}>{event.from.toLowerCase()}</span>}
                {" → "}
                <StateBadge state={event.to} name={event.stateName} />
              </td>
              <td class="mono small">{event.kind}</td>
              <td class="small">{event.rules.join(", ")}</td>
              <td class="small">{typeof message === "string" ? message : ""}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
