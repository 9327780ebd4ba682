/**
 * Control planes: where the SDK sends its proposals. The default is the
 * engine on the embedded SQLite file under `IRONFLOW_HOME`; tests and scripts
 * use an in-memory one. No server is needed for either.
 *
 * @module
 */
import { createLocalEventClient, type EventClient } from "./event_clients.ts";
import {
  acquireSlots,
  type ActionOutcome,
  type Artifact,
  cancelFlowRun,
  createArtifact,
  createEngine,
  createIdSource,
  createMemoryStore,
  createSqliteStore,
  dueBackgroundTaskRuns,
  type Engine,
  type EngineEvent,
  type HeartbeatAnswer,
  heartbeatFlowRuns,
  type Json,
  lineageRecords,
  listArtifacts,
  type LogRecord,
  type NewArtifact,
  type NewRun,
  parseLivenessMs,
  pauseFlowRun,
  type PauseMode,
  type Proposal,
  type ProposalResult,
  reapLostRuns,
  releaseSlots,
  renewLease,
  resumeFlowRun,
  retryFlowRun,
  type RunRecord,
  savePlan,
  type SlotGrant,
  type SlotRequest,
  type SqliteStoreOptions,
  systemClock,
  type Timer,
  updateProgressArtifact,
} from "../engine/mod.ts";

import { createLocalDeploymentClient, type DeploymentClient } from "./deployment_client.ts";
import { createLocalVariableClient, type VariableClient } from "./variable_client.ts";
import { createLocalSecretClient, type SecretClient } from "./secret_client.ts";
import { withSecretRedaction } from "./redaction.ts";
import type { LineageHistory } from "./resume.ts";
import type { FlowPlan } from "../engine/planner/mod.ts";
import { readEnv } from "./env.ts";
// The CLI reads its settings the same way.
export { readEnv };
import { createFileResultStore, createMemoryResultStore, type ResultStore } from "./results.ts";
import { type HomeStorage, openEngineOn, openHomeStorage } from "./home.ts";

/**
 * Operator actions on flow runs. The engine's actions module judges them,
 * in this process or on the server, so every entry point ends a run the same
 * way.
 */
export interface RunActions {
  cancel(runId: string, options?: { reason?: string }): Promise<ActionOutcome>;
  pause(runId: string, options: { mode: PauseMode; reason?: string }): Promise<ActionOutcome>;
  /** `input` is checked against the schema the paused flow asked for. */
  resume(runId: string, options?: { input?: Json }): Promise<ActionOutcome>;
  /** A new attempt of a finished run (queued for its work pool when it is a deployment run). */
  retry(runId: string): Promise<RunRecord>;
}

/** What the SDK needs from an orchestration backend. */
export interface ControlPlane {
  /** Time source for retry delays, timeouts and log timestamps. */
  readonly timer: Timer;
  createRun(run: NewRun): Promise<RunRecord>;
  propose(runId: string, proposal: Proposal): Promise<ProposalResult>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Queues log lines (fire and forget; committed with the next batch). */
  log(records: readonly LogRecord[]): void;
  /** Calls `listener` with every committed event of `runId` until unsubscribed. */
  watch(runId: string, listener: (event: EngineEvent) => void): () => void;
  /**
   * Settles once the watches made so far receive every later commit (a remote
   * plane tells the server first); absent when a watch is live at once.
   */
  watchesLive?(): Promise<void>;
  /** Resolves once everything sent so far is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Where large and binary results are stored. */
  readonly results: ResultStore;
  /** Earlier attempts of a lineage (flow runs and completed task runs), for resume. */
  lineageHistory(lineageId: string): Promise<LineageHistory>;
  createArtifact(input: NewArtifact): Promise<Artifact>;
  updateProgressArtifact(id: string, progress: number): Promise<Artifact>;
  listArtifacts(query: { flowRunId: string; taskRunId?: string }): Promise<Artifact[]>;
  /** Deployments, claims and leases (`runDeployment`, `serve`, workers); absent on test fakes. */
  readonly deployments?: DeploymentClient;
  /** Named JSON values (`getVariable()`); absent on test fakes. */
  readonly variables?: VariableClient;
  /** Encrypted secrets (`getSecret()`), whose revealed values this plane redacts; absent on test fakes. */
  readonly secrets?: SecretClient;
  /** Records custom events (`emitEvent`); absent on test fakes. */
  readonly events?: EventClient;
  /** Records the static plan of a flow (the latest per flow name). */
  savePlan(flowName: string, plan: FlowPlan): Promise<void>;
  /** One attempt to take concurrency slots (all or nothing). */
  acquireSlots(request: SlotRequest): Promise<SlotGrant>;
  /** Frees a lease; idempotent. */
  releaseLease(leaseId: string): Promise<boolean>;
  /** Extends a lease; false when it is gone. */
  renewLease(leaseId: string, leaseMs: number): Promise<boolean>;
  /** Operator actions: cancel, pause, resume (with input), retry. */
  readonly actions: RunActions;
  /** Tells the engine this process still executes `runIds`; the answers say which to stop. */
  heartbeat(runIds: readonly string[]): Promise<HeartbeatAnswer[]>;
  /** SCHEDULED background task runs (`task.delay()`) of these tasks, oldest first, for task workers. */
  scheduledTaskRuns?(taskNames: readonly string[], limit: number): Promise<RunRecord[]>;
}

/** A control plane that talks to an engine in this process. */
export interface LocalControlPlane extends ControlPlane {
  readonly engine: Engine;
}

/** Wraps an engine (and a timer for waits) as a control plane. */
export function createLocalControlPlane(
  engine: Engine,
  timer: Timer = systemClock,
  results: ResultStore = createMemoryResultStore(),
  options: LocalControlPlaneOptions = {},
): LocalControlPlane {
  const secretKey = options.secretKey;
  const secrets = createLocalSecretClient(engine, {
    clock: timer,
    secretKey: () => secretKey ?? readEnv("IRONFLOW_SECRET_KEY"),
  });
  const watchers = new Map<string, Set<(event: EngineEvent) => void>>();
  let unsubscribe: (() => void) | undefined;
  // Another process on the same database (a server, the CLI) may cancel or
  // resume a watched run: its commits are read while anything is watched.
  let stopTailing: (() => void) | undefined;
  return withSecretRedaction({
    engine,
    timer,
    createRun: (run) => run.kind === "flow" ? engine.createFlowRun(run) : engine.createTaskRun(run),
    propose: (runId, proposal) => engine.propose(runId, proposal),
    getRun: (runId) => Promise.resolve(engine.getRun(runId)),
    log: (records) => engine.log(records),
    watch(runId, listener) {
      unsubscribe ??= engine.subscribe((event) => {
        const set = watchers.get(event.runId);
        if (set) { for (const watcher of set) watcher(event); }
      });
      let set = watchers.get(runId);
      if (!set) watchers.set(runId, set = new Set());
      set.add(listener);
      stopTailing ??= engine.tailExternalEvents(EXTERNAL_EVENTS_POLL_MS);
      return () => {
        set.delete(listener);
        if (set.size === 0) watchers.delete(runId);
        if (watchers.size === 0) {
          stopTailing?.();
          stopTailing = undefined;
        }
      };
    },
    flush: () => engine.flush(),
    async close() {
      unsubscribe?.();
      stopTailing?.();
      await engine.close();
    },
    results,
    lineageHistory: (lineageId) => Promise.resolve(lineageRecords(engine, lineageId)),
    createArtifact: (input) => createArtifact(engine, timer, input),
    updateProgressArtifact: (id, progress) => updateProgressArtifact(engine, timer, id, progress),
    listArtifacts: (query) => Promise.resolve(listArtifacts(engine.reader, query)),
    acquireSlots: (request) => acquireSlots(engine, timer, request),
    savePlan: (flowName, plan) => savePlan(engine, timer.now(), flowName, plan),
    releaseLease: (leaseId) => releaseSlots(engine, leaseId),
    renewLease: (leaseId, leaseMs) =>
      engine.transact((tx) => renewLease(tx, leaseId, timer.now(), leaseMs)),
    deployments: createLocalDeploymentClient(engine),
    variables: createLocalVariableClient(engine, timer),
    events: createLocalEventClient(engine),
    actions: {
      cancel: (runId, options) => cancelFlowRun(engine, runId, options),
      pause: (runId, options) => pauseFlowRun(engine, runId, options),
      resume: (runId, options) => resumeFlowRun(engine, runId, options),
      retry: (runId) => retryFlowRun(engine, runId),
    },
    heartbeat: (runIds) => heartbeatFlowRuns(engine, runIds),
    scheduledTaskRuns: (taskNames, limit) =>
      Promise.resolve(dueBackgroundTaskRuns(engine, taskNames, limit)),
  }, secrets);
}

/** Options of {@linkcode createLocalControlPlane}. */
export interface LocalControlPlaneOptions {
  /** Encrypts and decrypts secrets. @default `IRONFLOW_SECRET_KEY`, read when first needed */
  secretKey?: string;
}

/** How often a local plane reads other processes' commits while it watches a run. */
const EXTERNAL_EVENTS_POLL_MS = 250;

/** Options of {@linkcode createInMemoryControlPlane}. */
export interface InMemoryControlPlaneOptions {
  /** Clock and timer; pass a `FakeClock` to control time in tests. @default the system clock */
  timer?: Timer;
  /** Encrypts secrets. @default `IRONFLOW_SECRET_KEY` */
  secretKey?: string;
}

/** An engine on a memory store: for tests and throwaway scripts. */
export function createInMemoryControlPlane(
  options: InMemoryControlPlaneOptions = {},
): LocalControlPlane {
  const timer = options.timer ?? systemClock;
  const engine = createEngine({ store: createMemoryStore(), clock: timer, ids: createIdSource() });
  return createLocalControlPlane(
    engine,
    timer,
    undefined,
    options.secretKey ? { secretKey: options.secretKey } : {},
  );
}

/** An engine on the SQLite file `path`, opened with `store` options (default: {@linkcode sqliteOptionsFromEnv}). */
export function createSqliteControlPlane(
  path: string,
  timer: Timer = systemClock,
  store: SqliteStoreOptions = sqliteOptionsFromEnv(),
): LocalControlPlane {
  // Large and binary results live in a `results` folder beside the database.
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
  return createStoreControlPlane({
    store: createSqliteStore(path, store),
    results: createFileResultStore(`${folder}/results`),
    closeResults: () => Promise.resolve(),
  }, timer);
}

/** An engine on the PostgreSQL database at `url`, large results in its `results` table. */
export function createPostgresControlPlane(
  url: string,
  timer: Timer = systemClock,
): LocalControlPlane {
  return createStoreControlPlane(openHomeStorage({ home: ".", databaseUrl: url }), timer);
}

/**
 * The local plane of the environment: the PostgreSQL database of
 * `IRONFLOW_DATABASE_URL` when it is set, else the SQLite file of `home`.
 */
export function createHomeControlPlane(
  home: string,
  store: SqliteStoreOptions = sqliteOptionsFromEnv(),
): LocalControlPlane {
  return createStoreControlPlane(
    openHomeStorage({ home, databaseUrl: databaseUrlFromEnv(), sqlite: store }),
    systemClock,
  );
}

/**
 * `IRONFLOW_DATABASE_URL`, when set: the PostgreSQL database that replaces
 * the SQLite file of `IRONFLOW_HOME`. Throws `RangeError` on a URL that is
 * not `postgres://` or `postgresql://`.
 */
export function databaseUrlFromEnv(): string | undefined {
  const url = readEnv("IRONFLOW_DATABASE_URL")?.trim();
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new RangeError(
      `Invalid IRONFLOW_DATABASE_URL: expected postgres://user:password@host:port/database`,
    );
  }
  return url;
}

// An engine on a home's storage, reaping what dead processes left live.
function createStoreControlPlane(storage: HomeStorage, timer: Timer): LocalControlPlane {
  const livenessMs = parseLivenessMs(readEnv("IRONFLOW_LIVENESS_TIMEOUT_MS"));
  const home = openEngineOn(storage, { clock: timer, livenessMs });
  const { engine } = home;
  // A process that died left its runs live: whoever opens the database next
  // ends those whose heartbeats stopped (the server does it on every tick).
  const reaping = reapLostRuns(engine).catch((error) => console.error(error));
  const plane = createLocalControlPlane(engine, timer, storage.results);
  // A short-lived process (`ironflow flow-run ls`) finishes the reaping it started before it closes.
  const close = plane.close;
  plane.close = async () => {
    await reaping;
    await close.call(plane);
    await storage.closeResults();
  };
  return plane;
}

let current: ControlPlane | undefined;

/** Makes `plane` the control plane of runs started from now on. */
export function setControlPlane(plane: ControlPlane | undefined): void {
  current = plane;
}

/** Home folder of the embedded store: `IRONFLOW_HOME`, default `./.ironflow`. */
export function ironflowHomeDir(): string {
  return readEnv("IRONFLOW_HOME") ?? "./.ironflow";
}

let remoteFactory: ((url: string, apiKey: string | undefined) => ControlPlane) | undefined;

/** Registers how to build the remote plane (kept out of this module's imports). */
export function registerRemoteFactory(
  factory: (url: string, apiKey: string | undefined) => ControlPlane,
): void {
  remoteFactory = factory;
}

/**
 * The control plane in effect: the one set with {@linkcode setControlPlane};
 * else, with `IRONFLOW_API_URL` set, the server at that URL; else the engine
 * on `IRONFLOW_HOME/ironflow.db` (created on first use), or on the
 * PostgreSQL database of `IRONFLOW_DATABASE_URL`.
 */
export function getControlPlane(): ControlPlane {
  if (current) return current;
  const url = readEnv("IRONFLOW_API_URL");
  if (url && remoteFactory) {
    current = remoteFactory(url, readEnv("IRONFLOW_API_KEY"));
    return current;
  }
  current = createHomeControlPlane(ironflowHomeDir());
  return current;
}

// The value of `name` (trimmed, lower case) when set; a RangeError naming the choices otherwise.
function choiceFromEnv<T extends string>(name: string, choices: readonly T[]): T | undefined {
  const value = readEnv(name)?.trim().toLowerCase();
  if (!value) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    const named = choices.map((choice) => `"${choice}"`).join(" or ");
    throw new RangeError(`${name} must be ${named}, got "${value}"`);
  }
  return value as T;
}

/**
 * The SQLite store settings of the environment: `IRONFLOW_SQLITE_SYNCHRONOUS`
 * (`normal` or `full`), `IRONFLOW_SQLITE_CHECKPOINT_THREAD` (`on` or `off`)
 * and, when `integrityCheck` is asked for, whether
 * `IRONFLOW_SKIP_INTEGRITY_CHECK` (`1`, `true`, `yes`) turns it off. Throws
 * `RangeError` on an unknown synchronous or checkpoint-thread value.
 */
export function sqliteOptionsFromEnv(
  options: { integrityCheck?: boolean } = {},
): SqliteStoreOptions {
  const result: SqliteStoreOptions = {};
  const synchronous = choiceFromEnv("IRONFLOW_SQLITE_SYNCHRONOUS", ["normal", "full"]);
  if (synchronous) result.synchronous = synchronous;
  const checkpointThread = choiceFromEnv("IRONFLOW_SQLITE_CHECKPOINT_THREAD", ["on", "off"]);
  if (checkpointThread) result.checkpointThread = checkpointThread === "on";
  const skip = ["1", "true", "yes"].includes(
    readEnv("IRONFLOW_SKIP_INTEGRITY_CHECK")?.trim().toLowerCase() ?? "",
  );
  if (options.integrityCheck && !skip) result.integrityCheck = true;
  return result;
}
