/**
 * The shapes the task-run engine (`task_run.ts`) works with: what it uses of
 * its flow run, the call it executes, and the slot and early start of one attempt.
 *
 * @module
 */
import type { ProposalResult, RunRecord } from "../engine/mod.ts";
import type { InternalContext } from "./context.ts";
import type { ControlPlane } from "./control_plane.ts";
import type { TaskFuture } from "./future.ts";
import type { RunOptions } from "./options.ts";
import type { ResumeIndex } from "./resume.ts";
import type { RunMirror } from "./run_mirror.ts";
import type { RunPauses } from "./run_pauses.ts";
import type { Attempts } from "./run_steps.ts";
import type { TaskSpec } from "./run_specs.ts";
import type { TaskRunner } from "./runners.ts";
import type { TransactionMembership } from "./transaction_hooks.ts";

/** What a task run uses of the flow run it belongs to. */
export interface TaskRunHost {
  /** The flow run's mirror. */
  readonly mirror: RunMirror;
  readonly plane: ControlPlane;
  readonly runner: TaskRunner;
  readonly signal: AbortSignal;
  readonly context: InternalContext;
  readonly attempts: Attempts;
  readonly pauses: RunPauses;
  /** Completed task runs of earlier attempts that this attempt may restore. */
  readonly resume: ResumeIndex | undefined;
  /** Whether a run with these options persists its result. */
  persists(options: RunOptions): boolean;
  /** Result serializer and storage for runs with these options. */
  resultOptions(options: RunOptions): RunOptions;
  warn(message: string, taskRunId?: string | null): void;
  /** Task runs by the object results they returned, for edges through results. */
  readonly results?: WeakMap<object, string>;
  /** A task called outside a flow: its run is a root run. */
  readonly standalone?: boolean;
}

/** Where a task run's call came from. */
export interface TaskCall<T> {
  readonly spec: TaskSpec;
  readonly future: TaskFuture<T>;
  readonly args: unknown[];
  readonly key: string;
  readonly waitFor: readonly TaskFuture<unknown>[] | undefined;
  /** Futures in `waitFor` whose failure does not cancel this run (`allowFailure`). */
  readonly allowFailed?: readonly TaskFuture<unknown>[] | undefined;
  /** The transaction the call was made in. */
  readonly transaction?: TransactionMembership | undefined;
  /** A run that already exists (a claimed background task run): it is not created again. */
  readonly existingRun?: RunRecord | undefined;
  readonly parentTaskRun: InternalContext["taskRun"];
  /** Called once the run's creation settled (committed, adopted or failed), whatever follows. */
  readonly onCreated?: (() => void) | undefined;
}

/** A task run's first RUNNING proposal, sent together with its creation. */
export interface EarlyStart {
  release: () => void;
  answer: Promise<ProposalResult>;
  cacheKey: string | undefined;
}

/** A runner slot taken for one attempt, and the start already sent with the creation. */
export interface Slot {
  release: () => void;
  sent: Promise<ProposalResult> | undefined;
}
