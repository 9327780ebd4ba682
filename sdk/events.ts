/**
 * `emitEvent()`: a custom event from a flow, a task or any script, through
 * the current run's control plane (in-process or remote). Inside a flow run,
 * the run is added to the related resources.
 *
 * @module
 */
import {
  type IronEvent,
  type NewEvent,
  newEventProblems,
  runResource,
} from "../engine/events/mod.ts";
import { InvalidArgumentError } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { currentContext } from "./context.ts";

/** Options of {@linkcode emitEvent}. */
export interface EmitEventOptions {
  /** @default the current run's control plane, or the default one */
  plane?: ControlPlane;
}

/**
 * Records a custom event; resolves with it as stored.
 *
 * @example
 * ```ts
 * import { createInMemoryControlPlane, emitEvent } from "./mod.ts";
 * const plane = createInMemoryControlPlane();
 * const event = await emitEvent(
 *   { event: "acme.file.landed", resource: "acme.bucket.raw", payload: { name: "a.csv" } },
 *   { plane },
 * );
 * console.log(event.event); // acme.file.landed
 * await plane.close();
 * ```
 */
export async function emitEvent(
  input: NewEvent,
  options: EmitEventOptions = {},
): Promise<IronEvent> {
  const context = currentContext();
  const plane = options.plane ?? context?.plane ?? getControlPlane();
  const client = plane.events;
  if (!client) throw new TypeError("This control plane cannot record events");
  const runId = context?.flowRun.id;
  const related = [...(input.related ?? [])];
  if (runId && !related.some((r) => r.id === runResource(runId, "flow"))) {
    related.push({ id: runResource(runId, "flow"), role: "flow-run" });
  }
  const event: NewEvent = { ...input, related };
  const problems = newEventProblems(event);
  if (problems.length > 0) {
    throw new InvalidArgumentError(`Invalid event: ${problems.join("; ")}`, {
      code: "invalid_event",
    });
  }
  return await client.emit(event);
}

export type { EventClient } from "./event_clients.ts";
