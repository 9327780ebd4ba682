/**
 * Automations: a trigger over the event log and the actions a firing runs.
 *
 * @module
 */
import type { Json } from "../core/mod.ts";

/**
 * Fires when `threshold` matching events occur within `withinSeconds`
 * (reactive), or when fewer than `threshold` occurred in a window of
 * `withinSeconds` (proactive); counted apart per `forEach` group.
 */
export interface EventTrigger {
  type: "event";
  posture: "reactive" | "proactive";
  /** Event name patterns (exact, or a prefix ending in `*`). */
  match: string[];
  /** Resource id patterns the event's resource or a related one must match. @default any */
  resource?: string[];
  /** @default 1 */
  threshold: number;
  /** Window in seconds (0: no window, reactive only). */
  withinSeconds: number;
  /**
   * Count apart per related resource of this role (`deployment`, `flow`, ...),
   * or `resource` for the event's own resource. @default one group
   */
  forEach?: string;
}

/** Sugar: a flow run (of a deployment or flow) entered one of `states` (display names). */
export interface RunStateTrigger {
  type: "run-state";
  /** Deployment id, or none for any. */
  deploymentId?: string;
  /** Flow name, or none for any. */
  flow?: string;
  /** State display names: `Failed`, `Crashed`, `Completed`... */
  states: string[];
  /** @default 1 */
  threshold?: number;
  /** @default 0 */
  withinSeconds?: number;
}

/** A trigger. */
export type Trigger = EventTrigger | RunStateTrigger;

/** What a firing does. Templates read `{{ event.… }}` (and `{{ variables.… }}` once available). */
export type Action =
  | { type: "run-deployment"; deployment: string; parameters?: Json }
  | { type: "cancel-run" | "pause-run" | "resume-run" }
  | { type: "pause-deployment" | "resume-deployment"; deployment: string }
  | { type: "pause-work-pool" | "resume-work-pool"; workPool: string }
  | { type: "emit-event"; event: string; resource: string; payload?: Json }
  | {
    type: "http";
    url: string;
    /** @default "POST" */
    method?: string;
    body?: Json;
    /**
     * Header values are templates too; they alone may read `{{ secrets.name }}`,
     * revealed when the notification is sent and never recorded.
     */
    headers?: Record<string, string>;
    /** Retries after the first try. @default 3 */
    retries?: number;
  };

/** An automation as stored. */
export interface Automation {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  trigger: Trigger;
  actions: Action[];
  createdAt: number;
  updatedAt: number;
}

/** The event trigger a run-state trigger stands for. */
export function eventTriggerOf(trigger: Trigger): EventTrigger {
  if (trigger.type === "event") return trigger;
  const resource = [
    ...(trigger.deploymentId ? [`ironflow.deployment.${trigger.deploymentId}`] : []),
    ...(trigger.flow ? [`ironflow.flow.${trigger.flow}`] : []),
  ];
  return {
    type: "event",
    posture: "reactive",
    match: trigger.states.map((state) => `ironflow.flow-run.${state}`),
    ...(resource.length > 0 ? { resource } : {}),
    threshold: trigger.threshold ?? 1,
    withinSeconds: trigger.withinSeconds ?? 0,
  };
}
