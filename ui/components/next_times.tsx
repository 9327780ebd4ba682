import { formatInZone } from "../format.ts";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode NextTimes}. */
export interface NextTimesProps {
  times: readonly number[];
  /** The schedule's time zone: each time is also shown there when it is not UTC. */
  timezone: string;
}

/** Upcoming slot times as an ordered list. */
export function NextTimes({ times, timezone }: NextTimesProps) {
  const zoned = timezone !== "UTC" && timezone !== "Etc/UTC";
  return (
    <ol class="times" data-next-times>
      {times.map((ms) => {
        const local = zoned ? formatInZone(ms, timezone) : null;
        return (
          <li key={ms}>
            <TimeLabel ms={ms} />
            {local !== null && <span class="muted small">{` · ${local} ${timezone}`}</span>}
          </li>
        );
      })}
    </ol>
  );
}
