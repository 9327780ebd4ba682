/**
 * The SDK's copy of one run: proposes transitions through the control plane,
 * keeps the state and version it was answered, and calls hooks.
 *
 * @module
 */
import {
  type EngineEvent,
  isTerminal,
  type Json,
  type Proposal,
  type ProposalResult,
  type RunRecord,
  type StateType,
} from "../engine/mod.ts";
import type { ControlPlane } from "./control_plane.ts";
import {
  askForRewrite,
  callHooks,
  type HookContext,
  hooksFor,
  type TransitionHook,
} from "./hooks.ts";
import type { RunState } from "./state.ts";

/** What to propose. */
export interface TransitionRequest {
  name?: string;
  kind: string;
  data?: { [key: string]: Json };
  error?: Error;
  result?: unknown;
  /** Operator actions (cancel) never consult rewrite hooks. */
  allowRewrite?: boolean;
  /** Restored (resumed) runs do not fire hooks again. @default true */
  callHooks?: boolean;
}

const NO_HOOKS: readonly TransitionHook[] = [];

/**
 * The proposal a mirror makes for `to` from `version`: its token is derived
 * from the run, the version and the destination, so re-sending is idempotent.
 */
export function proposalFor(
  runId: string,
  version: number,
  to: StateType,
  request: TransitionRequest,
): Proposal {
  const proposal: Proposal = { to, token: `${runId}:${version}:${to}`, kind: request.kind };
  if (request.name !== undefined) proposal.name = request.name;
  if (request.data !== undefined) proposal.data = request.data;
  return proposal;
}

/** A run as the SDK sees it while executing it. */
export class RunMirror {
  run: RunRecord;
  readonly #plane: ControlPlane;
  readonly #hooks: readonly TransitionHook[];
  readonly #warn: (message: string) => void;
  /** Tokens of proposals awaiting their answer (usually one: an array, not a Set, per run). */
  readonly #proposing: string[] = [];

  constructor(
    run: RunRecord,
    plane: ControlPlane,
    hooks: readonly TransitionHook[],
    warn: (message: string) => void,
  ) {
    this.run = run;
    this.#plane = plane;
    this.#hooks = hooks;
    this.#warn = warn;
  }

  get id(): string {
    return this.run.id;
  }

  get state(): StateType {
    return this.run.state;
  }

  /** The run's state for user code. */
  snapshot(): RunState {
    return { type: this.run.state, name: this.run.stateName, message: this.run.message };
  }

  /**
   * Proposes `to`; afterwards the mirror holds the engine's answer. Hooks on
   * an edge into a terminal state are asked first and may rewrite it.
   *
   * `sent` is the answer to this very proposal when the caller already sent
   * it (made with {@linkcode proposalFor} from the run's current version),
   * before the run's creation was answered: the mirror then takes in that
   * answer instead of proposing again. Only non-terminal moves are sent early
   * (rewrite hooks must be asked before a terminal one leaves).
   */
  async transition(
    to: StateType,
    request: TransitionRequest,
    sent?: Promise<ProposalResult>,
  ): Promise<ProposalResult> {
    const from = this.run.state;
    let consulted: readonly TransitionHook[] = NO_HOOKS;
    const hooksOn = request.callHooks !== false && this.#hooks.length > 0;
    if (sent !== undefined && isTerminal(to)) {
      throw new TypeError(`Cannot take in an early answer for terminal state "${to}"`);
    }
    if (isTerminal(to) && request.allowRewrite !== false && hooksOn) {
      consulted = hooksFor(this.#hooks, from, to).filter((hook) => hook.committedOnly !== true);
      if (consulted.length > 0) {
        const rewrite = await askForRewrite(
          consulted,
          this.#context(from, to, request),
          this.#warn,
        );
        if (rewrite !== undefined) {
          to = rewrite;
          const { name: _replaced, ...rest } = request;
          request = { ...rest, kind: `${request.kind}_rewritten` };
        }
      }
    }
    const proposal = proposalFor(this.run.id, this.run.version, to, request);
    // The watch may deliver this proposal's own event before the answer: `observe` skips it.
    const proposing = this.#proposing;
    proposing.push(proposal.token);
    let result: ProposalResult;
    try {
      result = await (sent ?? this.#plane.propose(this.run.id, proposal));
    } finally {
      proposing.splice(proposing.indexOf(proposal.token), 1);
    }
    // Another writer's transitions observed meanwhile moved the run: hooks see where it was.
    const before = this.run.state;
    const moved = result.version !== this.run.version;
    if (moved) {
      // The mirror owns its record (a copy the control plane returned): update it in place,
      // which matters when thousands of task runs move at once.
      const run = this.run;
      if (result.message !== undefined) run.message = result.message;
      run.state = result.state;
      run.stateName = result.stateName;
      run.version = result.version;
      // A cache hit completes a run that did not run: its hooks fired with the original.
      if (hooksOn && result.status !== "duplicate" && result.data?.["cache_hit"] !== true) {
        const listening = hooksFor(this.#hooks, before, result.state).filter((hook) =>
          !consulted.includes(hook)
        );
        if (listening.length > 0) {
          await callHooks(listening, this.#context(before, result.state, request), this.#warn);
        }
      }
    }
    return result;
  }

  /**
   * Takes in a transition another writer committed (an operator's CANCELLING),
   * so the next proposal and its hooks start from the state the run is in.
   * The mirror's own transitions are taken in by `transition()`, with their hooks.
   */
  observe(event: EngineEvent): void {
    if (
      event.runId !== this.run.id || event.version <= this.run.version ||
      this.#proposing.includes(event.token)
    ) {
      return;
    }
    const message = event.data?.["message"];
    this.run = {
      ...this.run,
      state: event.to,
      stateName: event.stateName,
      version: event.version,
      message: typeof message === "string" ? message : this.run.message,
    };
  }

  #context(from: StateType, to: StateType, request: TransitionRequest): HookContext {
    const run = this.run;
    const isFlow = run.kind === "flow";
    const context: HookContext = {
      kind: run.kind,
      run: { ...run },
      flowRunId: isFlow ? run.id : run.parentId ?? run.id,
      taskRunId: isFlow ? null : run.id,
      from,
      to,
      stateName: request.name ?? to,
      transitionKind: request.kind,
      flowName: isFlow ? run.name : run.flowName,
      taskName: isFlow ? null : run.name,
      ...(request.error !== undefined ? { error: request.error } : {}),
      ...(request.result !== undefined ? { result: request.result } : {}),
    };
    return context;
  }
}
