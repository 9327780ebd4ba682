import { formatTime, isoTime } from "../format.ts";

/** A timestamp: UTC text, machine-readable `datetime` (the client script localises it). */
export function TimeLabel({ ms }: { ms: number | null }) {
  if (ms === null) return <span class="muted">—</span>;
  return <time datetime={isoTime(ms)}>{formatTime(ms)}</time>;
}
