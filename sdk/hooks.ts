/**
 * Transition hooks: user functions called when a run changes state, with
 * wildcards; a hook on an edge into a terminal state may rewrite the
 * destination to another terminal state.
 *
 * @module
 */
import {
  isTerminal,
  matches,
  type RunRecord,
  type StateMatch,
  type StateType,
} from "../engine/mod.ts";

/** What a hook is told about the transition. */
export interface HookContext {
  readonly kind: "flow" | "task";
  readonly run: RunRecord;
  readonly flowRunId: string;
  readonly taskRunId: string | null;
  readonly from: StateType | null;
  readonly to: StateType;
  readonly stateName: string;
  /** What caused the transition (`start`, `complete`, `fail`, `user_cancel`...). */
  readonly transitionKind: string;
  readonly flowName: string;
  readonly taskName: string | null;
  /** The error of a failing run. */
  readonly error?: Error;
  /** The return value of a completing run. */
  readonly result?: unknown;
}

/**
 * A hook answers nothing, or, on an edge into a terminal state, another
 * terminal state to commit instead.
 */
export type HookFn = (context: HookContext) => void | StateType | Promise<void | StateType>;

/** A hook with the edges it listens to. */
export interface TransitionHook {
  readonly fn: HookFn;
  readonly from: StateMatch;
  readonly to: StateMatch;
  /**
   * Told only about committed transitions, never asked before a terminal
   * proposal. Prefect-style state hooks (`onFailure`, ...) are: they must see
   * the state the engine decided (a failed attempt that is retried commits
   * SCHEDULED "AwaitingRetry", not FAILED). @default false
   */
  readonly committedOnly?: boolean;
}

/** Which edges a hook listens to; `"*"` or omitted means any. */
export interface HookEdge {
  from?: StateType | readonly StateType[] | "*";
  to?: StateType | readonly StateType[] | "*";
}

function asMatch(value: HookEdge["from"]): StateMatch {
  if (value === undefined || value === "*") return "*";
  return typeof value === "string" ? [value] : value;
}

/**
 * A hook for the given edges.
 *
 * @example
 * ```ts
 * import { flow, onTransition } from "./mod.ts";
 * const audited = flow(async () => 1, {
 *   transitionHooks: [onTransition((ctx) => console.log(ctx.from, "->", ctx.to), { to: "COMPLETED" })],
 * });
 * ```
 */
export function onTransition(fn: HookFn, edge: HookEdge = {}): TransitionHook {
  if (typeof fn !== "function") throw new TypeError("onTransition() needs a function");
  return { fn, from: asMatch(edge.from), to: asMatch(edge.to) };
}

/** Hooks that listen to `from` → `to`. */
export function hooksFor(
  hooks: readonly TransitionHook[],
  from: StateType | null,
  to: StateType,
): TransitionHook[] {
  return hooks.filter((hook) =>
    (from === null ? hook.from === "*" : matches(hook.from, from)) &&
    matches(hook.to, to)
  );
}

/** Calls hooks in order, logging and swallowing what they throw. */
export async function callHooks(
  hooks: readonly TransitionHook[],
  context: HookContext,
  warn: (message: string) => void,
): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook.fn(context);
    } catch (error) {
      warn(`Transition hook failed on ${context.from} -> ${context.to}: ${describe(error)}`);
    }
  }
}

/**
 * Asks hooks on an edge into a terminal state whether to commit another
 * terminal state instead: the first non-empty legal answer wins.
 */
export async function askForRewrite(
  hooks: readonly TransitionHook[],
  context: HookContext,
  warn: (message: string) => void,
): Promise<StateType | undefined> {
  for (const hook of hooks) {
    if (hook.committedOnly === true) continue;
    let answer: void | StateType;
    try {
      answer = await hook.fn(context);
    } catch (error) {
      warn(`Transition hook failed on ${context.from} -> ${context.to}: ${describe(error)}`);
      continue;
    }
    if (answer === undefined || answer === null || answer === context.to) continue;
    if (typeof answer === "string" && isTerminal(answer as StateType)) return answer;
    warn(
      `Transition hook answered "${String(answer)}" on ${context.from} -> ${context.to}: ` +
        "only a terminal state can rewrite a terminal transition; ignored",
    );
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
