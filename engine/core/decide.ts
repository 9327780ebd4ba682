/**
 * The pure heart of the engine: given a run, a proposal, the time and a
 * policy, decide what happens. No I/O; the engine commits what this returns.
 *
 * @module
 */
import type { Json, PendingEvent, RunRecord } from "./model.ts";
import type { Proposal, ProposalResult } from "./proposal.ts";
import { matches, type Rule, type RuleContext, type RuleServices } from "./rules.ts";
import { DEFAULT_STATE_NAME, isTerminal, STATE_TYPES, type StateType } from "./states.ts";
import { canTransition } from "./transitions.ts";

/** An ordered list of rules. Order matters: earlier rules judge first. */
export type Policy = readonly Rule[];

/** The outcome of judging one proposal. */
export type Decision =
  | { readonly commit: false; readonly result: ProposalResult }
  | {
    readonly commit: true;
    readonly result: ProposalResult;
    readonly event: PendingEvent;
    readonly next: RunRecord;
    /** Rules whose `after` must run once the event is durable. */
    readonly after: readonly Rule[];
    /** Rules whose `onCommit` runs in the event's transaction. */
    readonly onCommit: readonly Rule[];
  };

/** Ids and time the decision needs from outside. */
export interface DecideInput {
  readonly run: RunRecord;
  readonly proposal: Proposal;
  readonly policy: Policy;
  readonly now: number;
  readonly eventId: string;
  /** Version at which this run applied the proposal's token, if it did. */
  readonly appliedTokenVersion: number | undefined;
  /** Transactional services for rules that need the store. */
  readonly services?: RuleServices;
}

function answer(run: RunRecord, status: ProposalResult["status"], reason?: string): ProposalResult {
  const result: ProposalResult = {
    status,
    state: run.state,
    stateName: run.stateName,
    version: run.version,
    message: run.message,
  };
  if (reason !== undefined) result.reason = reason;
  return result;
}

/**
 * Judges `proposal` against `run`: token, then expected version, then the
 * matrix, then the policy. Returns the event to commit, if any.
 */
export function decide(input: DecideInput): Decision {
  const { run, proposal, policy, now } = input;
  if (input.appliedTokenVersion !== undefined) {
    return { commit: false, result: answer(run, "duplicate", "token_already_applied") };
  }
  if (proposal.expectedVersion !== undefined && proposal.expectedVersion !== run.version) {
    return {
      commit: false,
      result: answer(
        run,
        "rejected",
        `version_conflict: expected version ${proposal.expectedVersion}, run "${run.id}" is at version ${run.version}`,
      ),
    };
  }
  if (!canTransition(run.state, proposal.to)) {
    const why = isTerminal(run.state)
      ? `run "${run.id}" is already "${run.state}" and terminal states accept no transition`
      : `transition "${run.state}" -> "${proposal.to}" is not allowed`;
    return { commit: false, result: answer(run, "rejected", `invalid_transition: ${why}`) };
  }

  const rules = compiled(policy);
  let to: StateType = proposal.to;
  let name = proposal.name ?? DEFAULT_STATE_NAME[to];
  let data: { [key: string]: Json } | null = proposal.data ?? null;
  const fired: string[] = [];
  let redirectReason: string | undefined;

  const judging = rules.beforeByFrom.get(run.state);
  // Most proposals interest no rule: skip building a rule context for them.
  if (judging !== undefined && judging.some((rule) => rule.applies?.(run, proposal, now) ?? true)) {
    const judged = judge(judging, input);
    if (judged.verdict !== undefined) return { commit: false, result: judged.verdict };
    to = judged.to;
    name = judged.name;
    data = judged.data;
    redirectReason = judged.redirectReason;
    fired.push(...judged.fired);
  }

  const event: PendingEvent = {
    id: input.eventId,
    runId: run.id,
    runKind: run.kind,
    from: run.state,
    to,
    stateName: name,
    token: proposal.token,
    version: run.version + 1,
    kind: proposal.kind,
    at: now,
    rules: fired,
    data,
  };
  const next = project(run, event, policy, fired);
  const result: ProposalResult = {
    status: redirectReason === undefined ? "accepted" : "rejected",
    state: next.state,
    stateName: next.stateName,
    version: next.version,
    message: next.message,
  };
  if (redirectReason !== undefined) {
    result.reason = redirectReason;
    if (data !== null) result.data = data;
  }
  const edge = rules.edge(run.state, to);
  return { commit: true, result, event, next, after: edge.after, onCommit: edge.onCommit };
}

interface Judgement {
  verdict?: ProposalResult;
  to: StateType;
  name: string;
  data: { [key: string]: Json } | null;
  redirectReason: string | undefined;
  fired: string[];
}

// Runs the `before` rules that apply to the run's current state, in order.
function judge(candidates: readonly Rule[], input: DecideInput): Judgement {
  const { run, proposal } = input;
  const current: Proposal = { ...proposal };
  const out: Judgement = {
    to: proposal.to,
    name: proposal.name ?? DEFAULT_STATE_NAME[proposal.to],
    data: proposal.data ? { ...proposal.data } : null,
    redirectReason: undefined,
    fired: [],
  };
  let verdict:
    | { status: "rejected" | "wait" | "aborted"; reason: string; retryAfterMs?: number }
    | undefined;
  let changed = false;
  const ctx: RuleContext = {
    services: input.services,
    run,
    proposal: current,
    now: input.now,
    reject(reason) {
      verdict = { status: "rejected", reason };
    },
    delay(ms, reason) {
      verdict = { status: "wait", reason, retryAfterMs: Math.max(0, Math.ceil(ms)) };
    },
    abort(reason) {
      verdict = { status: "aborted", reason };
    },
    rename(newName) {
      out.name = current.name = newName;
      changed = true;
    },
    redirect(newTo, newName, reason) {
      out.to = current.to = newTo;
      out.name = current.name = newName;
      out.redirectReason = reason;
      changed = true;
    },
    annotate(extra) {
      out.data = { ...(out.data ?? {}), ...extra };
      changed = true;
    },
  };
  const judged: Rule[] = [];
  for (const rule of candidates) {
    if (!matches(rule.to, out.to)) continue;
    // A redirect by an earlier rule may leave a later one nothing to act on.
    if (rule.applies !== undefined && !rule.applies(run, current, input.now)) continue;
    const toBefore = out.to;
    changed = false;
    rule.before!(ctx);
    if (verdict !== undefined || changed) out.fired.push(rule.name);
    if (verdict !== undefined) {
      // A later rule changed the outcome: earlier rules undo their side effects.
      for (const earlier of judged) earlier.cleanup?.(ctx);
      const result: ProposalResult = {
        status: verdict.status,
        state: run.state,
        stateName: run.stateName,
        version: run.version,
        reason: verdict.reason,
      };
      if (verdict.retryAfterMs !== undefined) result.retryAfterMs = verdict.retryAfterMs;
      out.verdict = result;
      return out;
    }
    if (out.to !== toBefore) { for (const earlier of judged) earlier.cleanup?.(ctx); }
    judged.push(rule);
  }
  return out;
}

interface EdgeRules {
  project: readonly Rule[];
  after: readonly Rule[];
  onCommit: readonly Rule[];
}

interface CompiledPolicy {
  /** Rules with `before`, by the state they judge from. */
  beforeByFrom: Map<StateType, readonly Rule[]>;
  /** Projection and `after` rules of one edge. */
  edge(from: StateType, to: StateType): EdgeRules;
}

const compiledPolicies = new WeakMap<Policy, CompiledPolicy>();

// Policies are judged millions of times: index their rules by edge once.
function compiled(policy: Policy): CompiledPolicy {
  const hit = compiledPolicies.get(policy);
  if (hit) return hit;
  const beforeByFrom = new Map<StateType, readonly Rule[]>();
  const edges = new Map<StateType, Map<StateType, EdgeRules>>();
  for (const from of STATE_TYPES) {
    const judging = policy.filter((rule) => rule.before !== undefined && matches(rule.from, from));
    if (judging.length > 0) beforeByFrom.set(from, judging);
    const byTo = new Map<StateType, EdgeRules>();
    edges.set(from, byTo);
    for (const to of STATE_TYPES) {
      const applies = (rule: Rule) => matches(rule.from, from) && matches(rule.to, to);
      byTo.set(to, {
        project: policy.filter((rule) => rule.project !== undefined && applies(rule)),
        after: policy.filter((rule) => rule.after !== undefined && applies(rule)),
        onCommit: policy.filter((rule) => rule.onCommit !== undefined && applies(rule)),
      });
    }
  }
  const result: CompiledPolicy = {
    beforeByFrom,
    edge: (from, to) => edges.get(from)!.get(to)!,
  };
  compiledPolicies.set(policy, result);
  return result;
}

/**
 * Applies one transition event to a run record: the projection. Pure and
 * deterministic, so projections can be rebuilt from the event log alone.
 */
export function project(
  prev: RunRecord,
  event: PendingEvent,
  policy: Policy,
  fired?: string[],
): RunRecord {
  const next: RunRecord = {
    ...prev,
    state: event.to,
    stateName: event.stateName,
    version: event.version,
    updatedAt: event.at,
  };
  const message = event.data?.["message"];
  if (typeof message === "string") next.message = message;
  else if (event.from !== event.to) next.message = null;
  for (const rule of compiled(policy).edge(prev.state, event.to).project) {
    if (rule.project!(next, prev, event)) fired?.push(rule.name);
  }
  return next;
}
