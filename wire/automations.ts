/**
 * Wire shapes of automations: the API's snake_case JSON, its zod schemas and
 * the conversions to and from the engine's records.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import type { Json } from "../engine/mod.ts";
import type { Action, Automation, FiringRecord, Trigger } from "../engine/automations/mod.ts";
import { JsonSchema } from "./run_schemas.ts";

const JsonValue = JsonSchema;
const Patterns = z.array(z.string().min(1).max(1024)).max(100);

const EventTriggerSchema = z.strictObject({
  type: z.literal("event"),
  posture: z.enum(["reactive", "proactive"]).optional().meta({ description: "Default reactive" }),
  match: Patterns.min(1).meta({ description: "Event names; a trailing * matches a prefix" }),
  resource: Patterns.optional().meta({
    description: "The event's resource or a related one must match one of these",
  }),
  threshold: z.number().int().min(1).max(100_000).optional().meta({ description: "Default 1" }),
  within_seconds: z.number().min(0).max(366 * 86_400).optional().meta({
    description: "Window; 0 (default): no window (reactive only)",
  }),
  for_each: z.string().min(1).max(200).optional().meta({
    description: "Count apart per related resource of this role, or `resource`",
  }),
});

const RunStateTriggerSchema = z.strictObject({
  type: z.literal("run-state"),
  deployment: z.string().min(1).optional().meta({ description: "Deployment name or id" }),
  flow: z.string().min(1).optional(),
  states: z.array(z.string().min(1)).min(1).meta({
    description: "State names: Failed, Crashed...",
  }),
  threshold: z.number().int().min(1).max(100_000).optional(),
  within_seconds: z.number().min(0).max(366 * 86_400).optional(),
});

/** A trigger on the wire. */
export const TriggerSchema = z.discriminatedUnion("type", [
  EventTriggerSchema,
  RunStateTriggerSchema,
]);

const Ref = z.string().min(1).max(200);

/** An action on the wire. */
export const ActionSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("run-deployment"),
    deployment: Ref,
    parameters: JsonValue.optional(),
  }),
  z.strictObject({ type: z.enum(["cancel-run", "pause-run", "resume-run"]) }),
  z.strictObject({ type: z.enum(["pause-deployment", "resume-deployment"]), deployment: Ref }),
  z.strictObject({ type: z.enum(["pause-work-pool", "resume-work-pool"]), work_pool: Ref }),
  z.strictObject({
    type: z.literal("emit-event"),
    event: z.string().min(1).max(1024),
    resource: z.string().min(1).max(1024),
    payload: JsonValue.optional(),
  }),
  z.strictObject({
    type: z.literal("http"),
    url: z.string().min(1).max(4096),
    method: z.enum(["POST", "PUT", "PATCH", "GET", "DELETE"]).optional(),
    body: JsonValue.optional(),
    headers: z.record(z.string().min(1).max(200), z.string().max(8192)).optional().meta({
      description:
        "Header values are templates; they alone may read secrets (`{{ secrets.name }}`), revealed when sent and never recorded",
    }),
    retries: z.number().int().min(0).max(20).optional(),
  }),
]);

/** The body that creates or replaces an automation. */
export const AutomationBody = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  enabled: z.boolean().optional(),
  trigger: TriggerSchema,
  actions: z.array(ActionSchema).min(1).max(20),
});
/** The body that creates or replaces an automation. */
export type AutomationBody = z.infer<typeof AutomationBody>;

/** A firing on the wire. */
export const FiringSchema = z.object({
  id: z.string(),
  at: z.string(),
  group: z.string(),
  count: z.number(),
  triggering_event_id: z.string().nullable(),
  done: z.boolean(),
  actions: z.array(z.object({
    status: z.string(),
    attempts: z.number(),
    message: z.string().nullable(),
    detail: JsonValue.nullable(),
  })),
});

/** An automation on the wire. */
export const AutomationSchema = AutomationBody.extend({
  id: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  created: z.string(),
  updated: z.string(),
  last_firings: z.array(FiringSchema),
});

/** The engine's trigger of a wire trigger; `deploymentId` resolves a deployment name. */
export function fromApiTrigger(
  trigger: z.infer<typeof TriggerSchema>,
  deploymentId: (ref: string) => string,
): Trigger {
  if (trigger.type === "event") {
    return {
      type: "event",
      posture: trigger.posture ?? "reactive",
      match: trigger.match,
      ...(trigger.resource ? { resource: trigger.resource } : {}),
      threshold: trigger.threshold ?? 1,
      withinSeconds: trigger.within_seconds ?? 0,
      ...(trigger.for_each ? { forEach: trigger.for_each } : {}),
    };
  }
  return {
    type: "run-state",
    ...(trigger.deployment ? { deploymentId: deploymentId(trigger.deployment) } : {}),
    ...(trigger.flow ? { flow: trigger.flow } : {}),
    states: trigger.states,
    ...(trigger.threshold !== undefined ? { threshold: trigger.threshold } : {}),
    ...(trigger.within_seconds !== undefined ? { withinSeconds: trigger.within_seconds } : {}),
  };
}

/** The engine's action of a wire action. */
export function fromApiAction(action: z.infer<typeof ActionSchema>): Action {
  if (action.type === "pause-work-pool" || action.type === "resume-work-pool") {
    return { type: action.type, workPool: action.work_pool };
  }
  return action as Action;
}

/** A stored trigger as wire JSON. */
export function toApiTrigger(trigger: Trigger): z.infer<typeof TriggerSchema> {
  if (trigger.type === "event") {
    return {
      type: "event",
      posture: trigger.posture,
      match: trigger.match,
      ...(trigger.resource ? { resource: trigger.resource } : {}),
      threshold: trigger.threshold,
      within_seconds: trigger.withinSeconds,
      ...(trigger.forEach ? { for_each: trigger.forEach } : {}),
    };
  }
  return {
    type: "run-state",
    ...(trigger.deploymentId ? { deployment: trigger.deploymentId } : {}),
    ...(trigger.flow ? { flow: trigger.flow } : {}),
    states: trigger.states,
    ...(trigger.threshold !== undefined ? { threshold: trigger.threshold } : {}),
    ...(trigger.withinSeconds !== undefined ? { within_seconds: trigger.withinSeconds } : {}),
  };
}

/** A stored action as wire JSON. */
export function toApiAction(action: Action): z.infer<typeof ActionSchema> {
  if (action.type === "pause-work-pool" || action.type === "resume-work-pool") {
    return { type: action.type, work_pool: action.workPool };
  }
  return action as z.infer<typeof ActionSchema>;
}

/** A firing as wire JSON. */
export function toApiFiring(firing: FiringRecord): z.infer<typeof FiringSchema> {
  const event = firing.event as { id?: string } | null;
  return {
    id: firing.id,
    at: new Date(firing.at).toISOString(),
    group: firing.group,
    count: firing.count,
    triggering_event_id: event?.id ?? null,
    done: firing.done,
    actions: firing.actions.map((a) => ({
      status: a.status,
      attempts: a.attempts,
      message: a.message ?? null,
      detail: (a.detail ?? null) as Json,
    })),
  };
}

/** An automation as wire JSON, with its newest firings (newest first). */
export function toApiAutomation(
  automation: Automation,
  lastFirings: readonly FiringRecord[],
): z.infer<typeof AutomationSchema> {
  return {
    id: automation.id,
    name: automation.name,
    description: automation.description,
    enabled: automation.enabled,
    trigger: toApiTrigger(automation.trigger),
    actions: automation.actions.map(toApiAction),
    created: new Date(automation.createdAt).toISOString(),
    updated: new Date(automation.updatedAt).toISOString(),
    last_firings: lastFirings.map(toApiFiring),
  };
}
