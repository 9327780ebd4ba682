/**
 * What an execution needs to know about a task or flow definition.
 *
 * @module
 */
import type { FlowOptions, TaskOptions } from "./options.ts";

/** What the execution needs to know about a task definition. */
export interface TaskSpec {
  readonly name: string;
  readonly fn: (...args: unknown[]) => unknown;
  readonly options: TaskOptions;
  readonly moduleUrl: string | undefined;
}

/** What the execution needs to know about a flow definition. */
export interface FlowSpec {
  readonly name: string;
  readonly fn: (...args: unknown[]) => unknown;
  readonly options: FlowOptions;
  /** Module that defines the flow (its source is what the planner reads). */
  readonly moduleUrl: string | undefined;
}
