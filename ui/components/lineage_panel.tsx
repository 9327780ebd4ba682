import type { RunRecord } from "../../engine/mod.ts";
import { runHref } from "../links.ts";
import { StateBadge } from "./state_badge.tsx";

/** Props of {@linkcode LineagePanel}. */
export interface LineagePanelProps {
  run: RunRecord;
  /** Every attempt of the run's lineage, oldest first (the run itself included). */
  attempts: readonly RunRecord[];
  parent: RunRecord | null;
  /** Subflow runs started by this run. */
  subflows: readonly RunRecord[];
}

/** Attempts of the lineage, the parent flow run and child subflow runs. */
export function LineagePanel({ run, attempts, parent, subflows }: LineagePanelProps) {
  if (attempts.length <= 1 && parent === null && subflows.length === 0) return null;
  return (
    <section class="panel">
      <h2>Lineage</h2>
      <dl class="kv">
        {attempts.length > 1 && (
          <>
            <dt>Attempts</dt>
            <dd class="row">
              {attempts.map((attempt) => (
                <span key={attempt.id}>
                  {attempt.id === run.id
                    ? <strong>{`#${attempt.attempt}`}</strong>
                    : <a href={runHref(attempt.id)}>{`#${attempt.attempt}`}</a>}{" "}
                  <StateBadge state={attempt.state} name={attempt.stateName} runId={attempt.id} />
                </span>
              ))}
            </dd>
          </>
        )}
        {parent !== null && (
          <>
            <dt>Parent</dt>
            <dd>
              <a href={runHref(parent.id)}>{parent.runName}</a>{" "}
              <StateBadge state={parent.state} name={parent.stateName} runId={parent.id} />
            </dd>
          </>
        )}
        {subflows.length > 0 && (
          <>
            <dt>Subflows</dt>
            <dd class="row">
              {subflows.map((child) => (
                <span key={child.id}>
                  <a href={runHref(child.id)}>{child.runName}</a>{" "}
                  <StateBadge state={child.state} name={child.stateName} runId={child.id} />
                </span>
              ))}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
