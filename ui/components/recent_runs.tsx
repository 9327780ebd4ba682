import type { RunRecord } from "../../engine/mod.ts";
import { formatTime } from "../format.ts";
import { runHref } from "../links.ts";

/** The states of a few runs as coloured dots, newest first, each linking to its run. */
export function RecentRuns({ runs }: { runs: readonly RunRecord[] }) {
  if (runs.length === 0) return <span class="muted">no runs yet</span>;
  return (
    <span class="dots">
      {runs.map((run) => (
        <a
          key={run.id}
          href={runHref(run.id)}
          class={`dot s-${run.state}`}
          data-state={run.state}
          title={`${run.runName}: ${run.stateName}, created ${formatTime(run.createdAt)} UTC`}
          aria-label={`${run.runName}: ${run.stateName}`}
        >
        </a>
      ))}
    </span>
  );
}
