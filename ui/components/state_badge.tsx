import type { StateType } from "../../engine/mod.ts";

/** Props of {@linkcode StateBadge}. */
export interface StateBadgeProps {
  state: StateType;
  /** Display name, e.g. "Retrying" or "Late". */
  name: string;
  /** Run the badge stands for: the client script updates it live. */
  runId?: string;
  big?: boolean;
}

/** A coloured pill with a run's state name. */
export function StateBadge({ state, name, runId, big }: StateBadgeProps) {
  return (
    <span
      class={`badge s-${state}${big ? " big" : ""}`}
      data-badge-for={runId}
      data-state={state}
      title={state}
    >
      {name}
    </span>
  );
}
