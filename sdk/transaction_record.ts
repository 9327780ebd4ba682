/**
 * How a transaction is recorded: as a task run named `transaction` of its
 * flow run (so the run page lists it with its state and events), or, for a
 * transaction outside a flow, as a root task run of its own. It is
 * RUNNING while the block runs, COMPLETED when committed — its result (the
 * block's value and the transaction's values) stored under the cache key
 * `transaction:<key>`, which is how a committed key is found again by later
 * runs and other processes (the engine's `ServeCachedResults` rule) — and
 * FAILED "RolledBack" when rolled back.
 *
 * @module
 */
import { type Json, type RunRecord, StateName, StateType, uuidv7 } from "../engine/mod.ts";
import type { ControlPlane } from "./control_plane.ts";
import { decodeResult, storedResultOf } from "./results.ts";
import { RunMirror } from "./run_mirror.ts";
import { proposeStart, resultData, startRequest } from "./run_steps.ts";

/** What a committed transaction recorded. */
export interface CommittedRecord {
  /** The block's return value. */
  result: unknown;
  /** The values set with `txn.set()`. */
  values: Record<string, unknown>;
}

/** What a transaction runs in: a flow run, or (outside a flow) a control plane alone. */
export interface TransactionOwner {
  readonly plane: ControlPlane;
  readonly signal: AbortSignal;
  /** The flow run the transaction belongs to; `undefined` outside a flow. */
  readonly flowRun: RunRecord | undefined;
  warn(message: string, runId?: string): void;
}

/** The name of a rolled-back transaction's state. */
export const ROLLED_BACK = "RolledBack";

/** The task run that records one transaction. */
export class TransactionRecord {
  readonly #owner: TransactionOwner;
  readonly #key: string | undefined;
  readonly #cacheKey: string | undefined;
  #mirror: RunMirror | undefined;

  /** `useEngineStore`: whether committed keys are kept (and looked up) by the engine. */
  constructor(owner: TransactionOwner, key: string | undefined, useEngineStore: boolean) {
    this.#owner = owner;
    this.#key = key;
    this.#cacheKey = key !== undefined && useEngineStore ? `transaction:${key}` : undefined;
  }

  get runId(): string | undefined {
    return this.#mirror?.id;
  }

  /**
   * Creates the run and starts it; the committed record when the engine
   * answered the start with the one a transaction of the same key stored.
   */
  async open(isolation: string, index: number): Promise<CommittedRecord | undefined> {
    const { plane, flowRun, signal } = this.#owner;
    const key = this.#key;
    const run = await plane.createRun({
      id: uuidv7(),
      kind: "task",
      name: "transaction",
      flowName: flowRun?.flowName ?? "transaction",
      runName: key !== undefined ? `transaction-${key}` : `transaction-${index}`,
      // Outside a flow: a root run of its own (rootId and lineage default to its id).
      parentId: flowRun?.id ?? null,
      rootId: flowRun?.rootId ?? null,
      depth: flowRun?.depth ?? 0,
      lineageId: flowRun?.lineageId ?? null,
      attempt: flowRun?.attempt ?? 1,
      taskKey: `transaction:${key ?? index}`,
      mapIndex: null,
      tags: [],
      parameters: { key: key ?? null, isolation },
      upstream: [],
    });
    const mirror = new RunMirror(run, plane, [], (m) => this.#owner.warn(m, run.id));
    this.#mirror = mirror;
    const data = this.#cacheKey ? { cacheKey: this.#cacheKey } : undefined;
    const start = await proposeStart(
      mirror,
      plane.timer,
      signal,
      startRequest(undefined, data),
    );
    if (!start.cached) return undefined;
    const stored = storedResultOf(start.cached);
    return stored ? await decodeResult(stored, plane.results) as CommittedRecord : undefined;
  }

  /** A committed record found in a custom store: the run ends COMPLETED "Cached" at once. */
  async skipped(record: CommittedRecord): Promise<void> {
    await this.#mirror!.transition(StateType.COMPLETED, {
      kind: "transaction_skip",
      name: StateName.Cached,
      data: { transaction: { key: this.#key ?? null, skipped: true }, cache_hit: true },
      result: record.result,
    });
  }

  /** The transaction committed: records its members and stores its record under the key. */
  async committed(record: CommittedRecord, members: readonly string[]): Promise<void> {
    const { plane } = this.#owner;
    const data = await resultData(
      plane,
      record,
      this.#cacheKey !== undefined,
      undefined,
      (m) => this.#owner.warn(m, this.runId),
    ) ?? {};
    data["transaction"] = { key: this.#key ?? null, committed: [...members] };
    if (this.#cacheKey !== undefined && data["result"] !== undefined) {
      data["cacheKey"] = this.#cacheKey;
    }
    await this.#mirror!.transition(StateType.COMPLETED, {
      kind: "transaction_commit",
      data,
      result: record.result,
    });
  }

  /** The transaction rolled back: FAILED "RolledBack", naming the runs rolled back (newest first). */
  async rolledBack(error: Error, rolledBack: readonly string[]): Promise<void> {
    const transaction: { [key: string]: Json } = {
      key: this.#key ?? null,
      rolledBack: [...rolledBack],
    };
    await this.#mirror!.transition(StateType.FAILED, {
      kind: "transaction_rollback",
      name: ROLLED_BACK,
      data: { message: `Rolled back: ${error.message}`, transaction },
      error,
    });
  }
}
