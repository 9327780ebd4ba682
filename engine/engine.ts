// Over 500 lines: createEngine is one closure whose batch state (queue, tokens, listeners) its methods share.
/**
 * The engine: the single authority over run state. It judges proposals with
 * the pure core and commits them to the store in batches (group commit):
 * everything proposed in the same turn of the event loop is applied in
 * arrival order inside one transaction, and no caller is answered before that
 * transaction committed.
 *
 * @module
 */
import {
  type Clock,
  ConflictError,
  CREATE_KIND,
  createRun,
  decide,
  DEFAULT_LIVENESS_MS,
  DEFAULT_POLICY,
  DEFAULT_TASK_POLICY,
  type EngineEvent,
  type EventQuery,
  hasOwnExecutor,
  type IdSource,
  isTerminal,
  type LogQuery,
  type LogRecord,
  needsExecutor,
  type NewRun,
  type Page,
  type Policy,
  project,
  type Proposal,
  type ProposalResult,
  type PurgeOptions,
  type PurgeResult,
  putLiveness,
  RefuseReapingLiveRuns,
  type Rule,
  type RuleServices,
  runFromCreation,
  RunNotFoundError,
  type RunQuery,
  type RunRecord,
  StateType,
  type Store,
  type StoreReader,
  type StoreSummary,
  type StoreTx,
  stringifyJson,
  trackExecutorLiveness,
} from "./core/mod.ts";

import type { DocumentChange } from "./document_changes.ts";
import { ConcurrencyDeniedError, releaseHolder, tryAcquireSlots } from "./concurrency.ts";

/** Collaborators of {@linkcode createEngine}. */
export interface EngineOptions {
  store: Store;
  clock: Clock;
  ids: IdSource;
  /** Orchestration policies; default: the bookkeeping rules for both kinds. */
  policy?: { flow?: Policy; task?: Policy };
  /** Called when a subscriber or an `after` rule throws. @default console.error */
  onError?: (error: unknown) => void;
  /**
   * How long a flow run may go without a heartbeat from its executor before
   * the reaper ends it CRASHED. @default 60_000
   */
  livenessMs?: number;
}

/**
 * What a module that keeps documents needs of the engine: its reads, and
 * writes that join the group commit.
 */
export type EngineStorePort =
  & Pick<Engine, "reader" | "transact">
  & Partial<Pick<Engine, "announceDocuments">>;

/** Called with every committed event, in `seq` order. */
export type EventListener = (event: EngineEvent) => void;

/** The engine's public surface. */
export interface Engine {
  readonly clock: Clock;
  /**
   * The store, read-only: runs, counts, events, logs, documents, limits.
   * Writes go through {@linkcode Engine.transact} and join the group commit.
   */
  readonly reader: StoreReader;
  /** How long a flow run may go without a heartbeat (see {@linkcode EngineOptions.livenessMs}). */
  readonly livenessMs: number;
  /**
   * Runs `fn` inside the next batch's transaction (it joins the group commit
   * with the proposals of the same turn) and resolves with its result once
   * that transaction committed. A `fn` that throws takes back its own writes
   * only: the batch is committed again without it.
   */
  transact<T>(fn: (tx: StoreTx) => T): Promise<T>;
  createFlowRun(run: Omit<NewRun, "kind">): Promise<RunRecord>;
  createTaskRun(run: Omit<NewRun, "kind">): Promise<RunRecord>;
  propose(runId: string, proposal: Proposal): Promise<ProposalResult>;
  getRun(runId: string): RunRecord | undefined;
  listRuns(query?: RunQuery): Page<RunRecord>;
  events(query?: EventQuery | string): EngineEvent[];
  subscribe(listener: EventListener): () => void;
  /** Queues log lines; they commit with the next batch. */
  log(records: readonly LogRecord[]): void;
  logs(query: LogQuery): LogRecord[];
  /** Called with every committed log line. */
  subscribeLogs(listener: (log: LogRecord) => void): () => void;
  /** Called with the documents a committed transaction wrote, as its writer announces them. */
  subscribeDocuments(listener: (change: DocumentChange) => void): () => void;
  /**
   * Tells document listeners of documents a committed {@linkcode Engine.transact}
   * wrote (artifacts announce theirs, so pages showing them update).
   */
  announceDocuments(changes: readonly DocumentChange[]): void;
  /**
   * Delivers events other processes committed to the same store to
   * subscribers (checked now). Returns how many were delivered.
   */
  pollExternalEvents(): number;
  /** Calls `pollExternalEvents()` every `intervalMs` until the returned function is called. */
  tailExternalEvents(intervalMs?: number): () => void;
  summary(): StoreSummary;
  /** Resolves once everything proposed so far is committed. */
  flush(): Promise<void>;
  /**
   * Deletes terminal flow run trees (see `Store.purgeRuns`) in a transaction
   * of their own: a purge is bounded by its caller, not by a batch.
   */
  purgeRuns(rootIds: readonly string[], options?: PurgeOptions): PurgeResult;
  /** Replays the event log into fresh projections. */
  rebuildProjections(): void;
  /** The event log as JSON lines. */
  exportEvents(): Generator<string>;
  /** Appends JSON-lines events to an empty or matching log, then rebuilds projections. */
  importEvents(lines: Iterable<string>): number;
  /** Commits what is pending and closes the store. */
  close(): Promise<void>;
}

type Pending =
  | { op: "create"; input: NewRun; resolve: (run: RunRecord) => void; reject: (e: unknown) => void }
  | {
    op: "transact";
    fn: (tx: StoreTx) => unknown;
    resolve: (value: unknown) => void;
    reject: (e: unknown) => void;
  }
  | {
    op: "propose";
    runId: string;
    proposal: Proposal;
    resolve: (result: ProposalResult) => void;
    reject: (e: unknown) => void;
  };

interface Committed {
  event: EngineEvent;
  run: RunRecord;
  after: readonly Rule[];
}

interface BatchAttempt {
  outcomes: unknown[];
  failed: boolean[];
  committed: Committed[];
  /** Index of a transaction function that threw: the batch must be committed without it. */
  retry?: number;
  retryError?: unknown;
}

interface CachedRun {
  run: RunRecord;
  /**
   * Tokens already applied, by version: `tokens[v - 1]` made version `v`
   * (versions run 1, 2, 3... per run). A short array, not a Map: thousands
   * of live runs each hold a handful.
   */
  tokens: string[];
}

function tokensByVersion(tokens: Map<string, number>): string[] {
  const byVersion: string[] = [];
  for (const [token, version] of tokens) byVersion[version - 1] = token;
  return byVersion;
}

function appliedVersion(tokens: readonly string[], token: string): number | undefined {
  const index = tokens.indexOf(token);
  return index < 0 ? undefined : index + 1;
}

/** Microtask hops a batch may wait for more proposals before it commits. */
const MAX_BATCH_HOPS = 16;
/** Live runs kept in memory; the cache is dropped when it grows past this. */
const MAX_CACHED_RUNS = 200_000;

/** Creates an engine over `store`. */
export function createEngine(options: EngineOptions): Engine {
  return new EngineImpl(options);
}

class EngineImpl implements Engine {
  readonly clock: Clock;
  readonly reader: StoreReader;
  readonly #store: Store;
  readonly livenessMs: number;
  readonly #ids: IdSource;
  readonly #policies: { flow: Policy; task: Policy };
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Set<EventListener>();
  /** Highest `seq` delivered to subscribers; -1 until the first subscriber. */
  #deliveredSeq = -1;
  readonly #cache = new Map<string, CachedRun>();
  #queue: Pending[] = [];
  #logQueue: LogRecord[] = [];
  readonly #logListeners = new Set<(log: LogRecord) => void>();
  readonly #documentListeners = new Set<(change: DocumentChange) => void>();
  #scheduled = false;
  #hops = 0;
  #seen = 0;
  #idle: Array<() => void> = [];
  #closed = false;

  constructor(options: EngineOptions) {
    this.clock = options.clock;
    this.#store = options.store;
    this.reader = readerOf(options.store);
    this.#ids = options.ids;
    this.livenessMs = options.livenessMs ?? DEFAULT_LIVENESS_MS;
    if (!(this.livenessMs > 0)) {
      throw new RangeError(`Liveness timeout must be positive, got ${this.livenessMs}`);
    }
    const liveness = trackExecutorLiveness(this.livenessMs);
    this.#policies = {
      // Liveness is engine policy for every run an executor holds (flow runs,
      // task runs of no flow), whatever policy a caller passes.
      flow: [
        ...(options.policy?.flow ?? DEFAULT_POLICY),
        RefuseReapingLiveRuns,
        liveness,
      ],
      task: [...(options.policy?.task ?? DEFAULT_TASK_POLICY), RefuseReapingLiveRuns, liveness],
    };
    this.#onError = options.onError ?? ((error) => console.error(error));
  }

  createFlowRun(run: Omit<NewRun, "kind">): Promise<RunRecord> {
    return this.#create({ ...run, kind: "flow" });
  }

  createTaskRun(run: Omit<NewRun, "kind">): Promise<RunRecord> {
    return this.#create({ ...run, kind: "task" });
  }

  #create(input: NewRun): Promise<RunRecord> {
    return new Promise((resolve, reject) => {
      this.#enqueue({ op: "create", input, resolve, reject });
    });
  }

  transact<T>(fn: (tx: StoreTx) => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#enqueue({
        op: "transact",
        fn,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  propose(runId: string, proposal: Proposal): Promise<ProposalResult> {
    return new Promise((resolve, reject) => {
      this.#enqueue({ op: "propose", runId, proposal, resolve, reject });
    });
  }

  #enqueue(item: Pending): void {
    if (this.#closed) {
      item.reject(new Error("Engine is closed"));
      return;
    }
    this.#queue.push(item);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#hops = 0;
    this.#seen = this.#queue.length;
    queueMicrotask(this.#tick);
  }

  // Waits a few microtask hops while proposals keep arriving, so concurrent
  // callers share one transaction; commits as soon as a hop brings nothing new.
  #tick = (): void => {
    if (this.#queue.length > this.#seen && this.#hops < MAX_BATCH_HOPS) {
      this.#seen = this.#queue.length;
      this.#hops += 1;
      queueMicrotask(this.#tick);
      return;
    }
    this.#scheduled = false;
    this.#flushNow();
  };

  #flushNow(): void {
    let batch = this.#queue;
    const logs = this.#logQueue;
    this.#queue = [];
    this.#logQueue = [];
    if (batch.length === 0 && logs.length === 0) return this.#notifyIdle();
    let attempt: BatchAttempt;
    try {
      attempt = this.#commit(batch, logs);
      // A transaction function threw after it may have written: commit the
      // batch again without it, so its writes are taken back and only it fails.
      while (attempt.retry !== undefined) {
        const dropped = batch[attempt.retry]!;
        batch = batch.filter((item) => item !== dropped);
        dropped.reject(attempt.retryError);
        attempt = this.#commit(batch, logs);
      }
    } catch (error) {
      // The transaction rolled back: nothing of this batch is durable.
      this.#cache.clear();
      for (const item of batch) item.reject(error);
      return this.#notifyIdle();
    }
    const { outcomes, failed, committed } = attempt;
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      if (failed[i]) item.reject(outcomes[i]);
      else (item.resolve as (value: unknown) => void)(outcomes[i]);
    }
    if (this.#logListeners.size > 0) {
      for (const log of logs) {
        for (const listener of this.#logListeners) this.#safely(() => listener(log));
      }
    }
    const first = committed[0]?.event.seq;
    if (first !== undefined && this.#listeners.size > 0 && first > this.#deliveredSeq + 1) {
      // Another process committed in between: deliver its events first, in order.
      this.#deliverExternal(first);
    }
    for (const { event, run, after } of committed) {
      for (const rule of after) this.#safely(() => rule.after!(event, run));
      if (this.#listeners.size === 0) continue;
      this.#deliveredSeq = event.seq;
      for (const listener of this.#listeners) this.#safely(() => listener(event));
    }
    if (this.#queue.length === 0 && this.#logQueue.length === 0) this.#notifyIdle();
  }

  // Another connection wrote: forget the runs it changed, or all when the store cannot tell.
  #forgetExternallyChanged(tx: StoreTx): void {
    const changed = tx.externallyChangedRuns?.();
    if (changed === undefined) this.#cache.clear();
    else for (const runId of changed) this.#cache.delete(runId);
  }

  // One try at committing a batch. Outcomes are settled only after the
  // transaction committed.
  #commit(batch: readonly Pending[], logs: LogRecord[]): BatchAttempt {
    const outcomes: unknown[] = new Array(batch.length);
    const failed: boolean[] = new Array(batch.length).fill(false);
    const committed: Committed[] = [];
    const retry = { index: -1, error: undefined as unknown };
    try {
      this.#store.write((tx) => {
        if (tx.externalChanges()) this.#forgetExternallyChanged(tx);
        const now = this.clock.now();
        const services = this.#services(tx);
        const known = this.#knownCreationIds(tx, batch);
        for (let i = 0; i < batch.length; i++) {
          const item = batch[i]!;
          try {
            outcomes[i] = item.op === "create"
              ? this.#applyCreate(tx, item.input, now, committed, known, services)
              : item.op === "propose"
              ? this.#applyProposal(tx, item.runId, item.proposal, now, committed, services)
              : item.fn(tx);
          } catch (error) {
            if (item.op === "transact") {
              retry.index = i;
              retry.error = error;
              throw error;
            }
            outcomes[i] = error;
            failed[i] = true;
          }
        }
        for (const log of logs) log.id = tx.appendLog(log);
      });
    } catch (error) {
      if (retry.index < 0 || retry.error !== error) throw error;
      this.#cache.clear();
      return { outcomes, failed, committed: [], retry: retry.index, retryError: error };
    }
    return { outcomes, failed, committed };
  }

  #applyCreate(
    tx: StoreTx,
    input: NewRun,
    now: number,
    committed: Committed[],
    known: Set<string>,
    services: RuleServices,
  ): RunRecord {
    // Creating with a caller-chosen id is idempotent: the same id returns the run.
    if (input.id !== undefined && known.has(input.id)) {
      const existing = this.#load(tx, input.id);
      // A copy: the cached record must not change when the caller changes its answer.
      if (existing) return { ...existing.run };
    }
    const runId = input.id ?? this.#ids.next();
    const { run, event } = createRun(
      input,
      { runId, eventId: `${runId}.1`, token: `${CREATE_KIND}:${runId}` },
      now,
    );
    if (run.parentId !== null) this.#checkParentLive(tx, run);
    const seq = tx.appendEvent(event);
    tx.insertRun(run);
    if (hasOwnExecutor(run) && needsExecutor(run)) {
      putLiveness(services.documents, run.id, now, this.livenessMs);
    }
    if (input.id !== undefined) known.add(runId);
    committed.push({ event: { ...event, seq }, run, after: [] });
    this.#remember({ run, tokens: [event.token] });
    return { ...run };
  }

  // Fencing: an executor the reaper gave up on (or whose run was cancelled
  // while it was away) may still be running; it must not add task runs or
  // subflows to a run that was ended without it.
  #checkParentLive(tx: StoreTx, run: RunRecord): void {
    const parent = this.#cache.get(run.parentId!)?.run ?? tx.getRun(run.parentId!);
    if (parent?.state === StateType.CRASHED || parent?.state === StateType.CANCELLED) {
      throw new ConflictError(
        `Cannot create ${run.kind} run "${run.runName}": its flow run "${parent.id}" is already "${parent.state}"`,
        { code: "parent_finished" },
      );
    }
  }

  #applyProposal(
    tx: StoreTx,
    runId: string,
    proposal: Proposal,
    now: number,
    committed: Committed[],
    services: RuleServices,
  ): ProposalResult {
    const cached = this.#load(tx, runId);
    if (!cached) throw new RunNotFoundError(runId);
    const decision = decide({
      run: cached.run,
      proposal,
      policy: this.#policies[cached.run.kind],
      now,
      eventId: `${runId}.${cached.run.version + 1}`,
      appliedTokenVersion: appliedVersion(cached.tokens, proposal.token),
      services,
    });
    if (!decision.commit) return decision.result;
    const seq = tx.appendEvent(decision.event);
    tx.updateRun(decision.next, cached.run);
    for (const rule of decision.onCommit) rule.onCommit!(decision.event, decision.next, services);
    const event = decision.event as EngineEvent;
    event.seq = seq;
    committed.push({ event, run: decision.next, after: decision.after });
    cached.run = decision.next;
    cached.tokens[decision.next.version - 1] = proposal.token;
    if (isTerminal(decision.next.state)) this.#cache.delete(runId);
    // The result is this decision's own object: it takes the seq in place.
    decision.result.seq = seq;
    return decision.result;
  }

  // Caller-chosen ids of this batch's creations that already name a run: the
  // cache answers for the runs it holds, the store for the rest in one query.
  // Creations of this batch add their ids as they go.
  #knownCreationIds(tx: StoreTx, batch: readonly Pending[]): Set<string> {
    const known = new Set<string>();
    const ask: string[] = [];
    for (const item of batch) {
      if (item.op !== "create" || item.input.id === undefined) continue;
      if (this.#cache.has(item.input.id)) known.add(item.input.id);
      else ask.push(item.input.id);
    }
    if (ask.length > 0) { for (const id of tx.existingRunIds(ask)) known.add(id); }
    return known;
  }

  // Services rules may use inside this batch's transaction.
  #services(tx: StoreTx): RuleServices {
    return {
      documents: tx,
      acquireSlots(names, holder, now) {
        try {
          const grant = tryAcquireSlots(tx, now, { names, holder });
          return grant.acquired ? { acquired: true } : grant;
        } catch (error) {
          if (error instanceof ConcurrencyDeniedError) return { denied: error.message };
          throw error;
        }
      },
      releaseSlots: (holder) => void releaseHolder(tx, holder),
    };
  }

  #load(tx: StoreTx, runId: string): CachedRun | undefined {
    const hit = this.#cache.get(runId);
    if (hit) return hit;
    const run = tx.getRun(runId);
    if (!run) return undefined;
    const loaded = { run, tokens: tokensByVersion(tx.runTokens(runId)) };
    this.#remember(loaded);
    return loaded;
  }

  #remember(entry: CachedRun): void {
    if (this.#cache.size >= MAX_CACHED_RUNS) this.#cache.clear();
    this.#cache.set(entry.run.id, entry);
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#onError(error);
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }

  getRun(runId: string): RunRecord | undefined {
    return this.#store.getRun(runId);
  }

  listRuns(query: RunQuery = {}): Page<RunRecord> {
    return this.#store.listRuns(query);
  }

  events(query: EventQuery | string = {}): EngineEvent[] {
    return this.#store.events(typeof query === "string" ? { runId: query } : query);
  }

  subscribe(listener: EventListener): () => void {
    // A first subscriber starts from now: it is told what commits from here on.
    if (this.#listeners.size === 0) this.#deliveredSeq = this.#store.lastSeq();
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // Delivers committed events with seq in (deliveredSeq, before) to subscribers.
  #deliverExternal(before = Infinity): number {
    let delivered = 0;
    while (this.#deliveredSeq + 1 < before) {
      const page = this.#store.events({ afterSeq: this.#deliveredSeq, limit: 1000 })
        .filter((event) => event.seq < before);
      if (page.length === 0) break;
      for (const event of page) {
        this.#deliveredSeq = event.seq;
        delivered += 1;
        for (const listener of this.#listeners) this.#safely(() => listener(event));
      }
    }
    return delivered;
  }

  pollExternalEvents(): number {
    if (this.#listeners.size === 0 || this.#closed) return 0;
    if (this.#store.lastSeq() <= this.#deliveredSeq) return 0;
    return this.#deliverExternal();
  }

  tailExternalEvents(intervalMs = 250): () => void {
    const timer = setInterval(() => this.#safely(() => void this.pollExternalEvents()), intervalMs);
    return () => clearInterval(timer);
  }

  summary(): StoreSummary {
    return this.#store.summary();
  }

  log(records: readonly LogRecord[]): void {
    if (this.#closed) throw new Error("Engine is closed");
    for (const record of records) this.#logQueue.push({ ...record });
    this.#schedule();
  }

  logs(query: LogQuery): LogRecord[] {
    return this.#store.logs(query);
  }

  subscribeLogs(listener: (log: LogRecord) => void): () => void {
    this.#logListeners.add(listener);
    return () => this.#logListeners.delete(listener);
  }

  subscribeDocuments(listener: (change: DocumentChange) => void): () => void {
    this.#documentListeners.add(listener);
    return () => this.#documentListeners.delete(listener);
  }

  announceDocuments(changes: readonly DocumentChange[]): void {
    for (const change of changes) {
      for (const listener of this.#documentListeners) this.#safely(() => listener(change));
    }
  }

  flush(): Promise<void> {
    if (!this.#scheduled && this.#queue.length === 0 && this.#logQueue.length === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  purgeRuns(rootIds: readonly string[], options?: PurgeOptions): PurgeResult {
    return this.#store.purgeRuns(rootIds, options);
  }

  rebuildProjections(): void {
    this.#cache.clear();
    this.#store.rebuildProjections((prev, event) => {
      if (prev === undefined || event.from === null) return runFromCreation(event);
      return project(prev, event, this.#policies[prev.kind]);
    });
  }

  *exportEvents(): Generator<string> {
    let afterSeq = 0;
    while (true) {
      const page = this.#store.events({ afterSeq, limit: 10_000 });
      if (page.length === 0) return;
      // stringifyJson: an event nested deeper than the stack allows still exports.
      for (const event of page) yield stringifyJson(event);
      afterSeq = page.at(-1)!.seq;
    }
  }

  importEvents(lines: Iterable<string>): number {
    let count = 0;
    const store = this.#store;
    function* parse(): Generator<EngineEvent> {
      let lineNumber = 0;
      for (const line of lines) {
        lineNumber += 1;
        if (line.trim() === "") continue;
        let event: EngineEvent;
        try {
          event = JSON.parse(line) as EngineEvent;
        } catch (cause) {
          throw new SyntaxError(`Cannot import line ${lineNumber}: not valid JSON`, { cause });
        }
        if (typeof event.seq !== "number" || typeof event.runId !== "string") {
          throw new TypeError(`Cannot import line ${lineNumber}: not an IronFlow event`);
        }
        count += 1;
        yield event;
      }
    }
    store.importEvents(parse());
    this.rebuildProjections();
    return count;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.#store.close();
  }
}

// A view with the store's reads only: a cast cannot turn it back into the store.
function readerOf(store: Store): StoreReader {
  return {
    get schemaVersion() {
      return store.schemaVersion;
    },
    getRun: (runId) => store.getRun(runId),
    listRuns: (query) => store.listRuns(query),
    countRuns: (query) => store.countRuns(query),
    flowRunActivity: (query) => store.flowRunActivity(query),
    flowStats: () => store.flowStats(),
    flowNames: (limit) => store.flowNames(limit),
    taskGraph: (flowRunId) => store.taskGraph(flowRunId),
    events: (query) => store.events(query),
    logs: (query) => store.logs(query),
    lastSeq: () => store.lastSeq(),
    summary: () => store.summary(),
    concurrencyLimits: () => store.concurrencyLimits(),
    getConcurrencyLimit: (name) => store.getConcurrencyLimit(name),
    getDocument: (collection, key) => store.getDocument(collection, key),
    listDocuments: (query) => store.listDocuments(query),
  };
}
