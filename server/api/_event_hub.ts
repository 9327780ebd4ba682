/**
 * One engine subscription shared by every SSE stream of an app. Streams are
 * indexed by the runs they follow, so a committed event costs a few map
 * look-ups and one encoding however many streams are open; a task run's flow
 * run is looked up once per event, and only while some stream follows a flow
 * run with its task runs.
 *
 * @module
 */
import type { DocumentChange, Engine, EngineEvent, LogRecord } from "../../engine/mod.ts";
import { ARTIFACT_COLLECTIONS } from "../../engine/mod.ts";
import { toApiEvent, toApiLog } from "../../wire/mod.ts";

/** Which events a watch wants. */
export interface WatchFilter {
  /** Every event. */
  all?: boolean;
  /** Events of these runs. */
  runIds?: Iterable<string>;
  /** Events of these flow runs and of their task runs. */
  flowRunIds?: Iterable<string>;
  /** Log lines of this flow run (and its task runs); none when omitted. */
  logsOf?: string;
}

/** Where a watch's frames go: one open stream. */
export interface Sink {
  /** `seq` is the event's, undefined for log lines. */
  frame(text: string, seq?: number): void;
}

const PARENT_CACHE = 50_000;

/** A set of runs followed by zero or more streams; the set may change. */
export class Watch {
  readonly #hub: EventHub;
  readonly all: boolean;
  readonly runIds = new Set<string>();
  readonly flowRunIds = new Set<string>();
  readonly logsOf: string | undefined;
  readonly sinks = new Set<Sink>();
  /** When the last stream left (for expiry of named watches); undefined while streamed. */
  idleSince: number | undefined;

  constructor(hub: EventHub, filter: WatchFilter, now: number) {
    this.#hub = hub;
    this.all = filter.all ?? false;
    this.logsOf = filter.logsOf;
    this.idleSince = now;
    for (const id of filter.runIds ?? []) this.runIds.add(id);
    for (const id of filter.flowRunIds ?? []) this.flowRunIds.add(id);
  }

  /** Whether the watch wants this event (used for replays). */
  includes(event: EngineEvent): boolean {
    if (this.all || this.runIds.has(event.runId) || this.flowRunIds.has(event.runId)) return true;
    if (event.runKind !== "task" || this.flowRunIds.size === 0) return false;
    return this.flowRunIds.has(this.#hub.parentOf(event) ?? "");
  }

  /** Follows more runs from now on. */
  addRuns(ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.runIds.has(id)) continue;
      this.runIds.add(id);
      if (this.sinks.size > 0) this.#hub.index(this.#hub.byRun, id, this);
    }
  }

  /** Stops following these runs. */
  removeRuns(ids: Iterable<string>): void {
    for (const id of ids) {
      if (!this.runIds.delete(id)) continue;
      if (this.sinks.size > 0) this.#hub.unindex(this.#hub.byRun, id, this);
    }
  }

  /** Follows exactly these runs. */
  replaceRuns(ids: Iterable<string>): void {
    const next = new Set(ids);
    this.removeRuns([...this.runIds].filter((id) => !next.has(id)));
    this.addRuns(next);
  }
}

/** Routes committed events and log lines to the streams that follow them. */
export class EventHub {
  readonly #engine: Engine;
  readonly #now: () => number;
  readonly #all = new Set<Watch>();
  readonly byRun = new Map<string, Set<Watch>>();
  readonly #byFlowRun = new Map<string, Set<Watch>>();
  readonly #byLogFlowRun = new Map<string, Set<Watch>>();
  readonly #parents = new Map<string, string | null>();
  #streams = 0;
  #unsubscribe: (() => void) | undefined;
  #unsubscribeLogs: (() => void) | undefined;
  #unsubscribeDocuments: (() => void) | undefined;

  constructor(engine: Engine, now: () => number = Date.now) {
    this.#engine = engine;
    this.#now = now;
  }

  /** A watch that no stream follows yet. */
  watch(filter: WatchFilter): Watch {
    return new Watch(this, filter, this.#now());
  }

  /** Sends the watch's events to `sink` from now on; returns the detach function. */
  attach(watch: Watch, sink: Sink): () => void {
    if (watch.sinks.size === 0) this.#indexWatch(watch);
    watch.sinks.add(sink);
    watch.idleSince = undefined;
    if (this.#streams++ === 0) this.#start();
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      watch.sinks.delete(sink);
      if (watch.sinks.size === 0) {
        this.#unindexWatch(watch);
        watch.idleSince = this.#now();
      }
      if (--this.#streams === 0) this.#stop();
    };
  }

  /** The flow run a task run's event belongs to, remembered across streams. */
  parentOf(event: EngineEvent): string | undefined {
    let parent = this.#parents.get(event.runId);
    if (parent === undefined) {
      const fromCreation = event.from === null ? event.data?.["parentId"] : undefined;
      parent = typeof fromCreation === "string"
        ? fromCreation
        : this.#engine.getRun(event.runId)?.parentId ?? null;
      if (this.#parents.size >= PARENT_CACHE) this.#parents.clear();
      this.#parents.set(event.runId, parent);
    }
    return parent ?? undefined;
  }

  /** @internal */
  index(map: Map<string, Set<Watch>>, key: string, watch: Watch): void {
    let set = map.get(key);
    if (!set) map.set(key, set = new Set());
    set.add(watch);
  }

  /** @internal */
  unindex(map: Map<string, Set<Watch>>, key: string, watch: Watch): void {
    const set = map.get(key);
    if (!set) return;
    set.delete(watch);
    if (set.size === 0) map.delete(key);
  }

  #indexWatch(watch: Watch): void {
    if (watch.all) this.#all.add(watch);
    for (const id of watch.runIds) this.index(this.byRun, id, watch);
    for (const id of watch.flowRunIds) this.index(this.#byFlowRun, id, watch);
    if (watch.logsOf !== undefined) this.index(this.#byLogFlowRun, watch.logsOf, watch);
  }

  #unindexWatch(watch: Watch): void {
    this.#all.delete(watch);
    for (const id of watch.runIds) this.unindex(this.byRun, id, watch);
    for (const id of watch.flowRunIds) this.unindex(this.#byFlowRun, id, watch);
    if (watch.logsOf !== undefined) this.unindex(this.#byLogFlowRun, watch.logsOf, watch);
  }

  #start(): void {
    this.#unsubscribe = this.#engine.subscribe((event) => this.#deliver(event));
    this.#unsubscribeLogs = this.#engine.subscribeLogs((log) => this.#deliverLog(log));
    this.#unsubscribeDocuments = this.#engine.subscribeDocuments((change) =>
      this.#deliverArtifact(change)
    );
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribeLogs?.();
    this.#unsubscribeDocuments?.();
    this.#unsubscribe = this.#unsubscribeLogs = this.#unsubscribeDocuments = undefined;
    this.#parents.clear();
  }

  #deliver(event: EngineEvent): void {
    let targets: Set<Watch> | undefined;
    const add = (watches: Set<Watch> | undefined) => {
      if (!watches) return;
      targets ??= new Set();
      for (const watch of watches) targets.add(watch);
    };
    add(this.#all.size > 0 ? this.#all : undefined);
    add(this.byRun.get(event.runId));
    add(this.#byFlowRun.get(event.runId));
    if (event.runKind === "task" && this.#byFlowRun.size > 0) {
      const parent = this.parentOf(event);
      if (parent !== undefined) add(this.#byFlowRun.get(parent));
    }
    if (!targets) return;
    const text = frame("transition", toApiEvent(event), event.seq);
    for (const watch of targets) {
      for (const sink of watch.sinks) sink.frame(text, event.seq);
    }
  }

  #deliverLog(log: LogRecord): void {
    const watches = this.#byLogFlowRun.get(log.flowRunId);
    if (!watches) return;
    const text = frame("log", toApiLog(log));
    for (const watch of watches) {
      for (const sink of watch.sinks) sink.frame(text);
    }
  }

  // A flow run's stream hears that one of its artifacts was created or changed
  // (the page fetches it); the artifact itself is not sent.
  #deliverArtifact(change: DocumentChange): void {
    if (change.collection !== ARTIFACT_COLLECTIONS.artifact || change.ref === null) return;
    const watches = this.#byLogFlowRun.get(change.ref);
    if (!watches) return;
    const text = frame("artifact", { id: change.key, flow_run_id: change.ref });
    for (const watch of watches) {
      for (const sink of watch.sinks) sink.frame(text);
    }
  }
}

/** One SSE message. */
export function frame(event: string, data: unknown, id?: number): string {
  return `event: ${event}\n${id !== undefined ? `id: ${id}\n` : ""}data: ${
    JSON.stringify(data)
  }\n\n`;
}
