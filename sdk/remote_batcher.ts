/**
 * The remote control plane's transport: creations, proposals and log lines
 * queued in the same turn of the event loop leave together as one
 * `POST /api/batch`, which the server commits in one engine transaction.
 *
 * Each item is JSON-encoded once, when queued; a request's body is those
 * strings joined, split so no body exceeds `maxBatchBytes`. Up to
 * `maxInFlight` requests are in flight at once, and the next batch is built
 * while they are. Order: an item of a run is not sent while an earlier item
 * of the same run is still unanswered in another request (the engine applies
 * one request's items in order), and log lines leave in one request at a time.
 *
 * @module
 */

/** An item the server refused, in place of its answer. */
export interface ApiItemErrorJson {
  error: { code: string; message: string; status?: number };
}

/** The answer of `POST /api/batch`. */
export interface BatchAnswer {
  runs: unknown[];
  results: unknown[];
  logs: { accepted: number; rejected: Array<{ index: number; error: ApiItemErrorJson["error"] }> };
}

/** The error of one refused item (or of a whole failed request). */
export type ItemErrorFactory = (error: ApiItemErrorJson["error"]) => Error;

/** Options of {@linkcode RemoteBatcher}. */
export interface RemoteBatcherOptions {
  /** Sends one body (retrying what is safe to retry); throws what the server refused. */
  post(body: string): Promise<BatchAnswer>;
  /** Builds the error of an item the server refused. */
  itemError: ItemErrorFactory;
  /** Tells whether a failed request was refused for its size (then it is split and re-sent). */
  tooLarge(error: unknown): boolean;
  /** Reports log lines that could not be delivered (logging is fire and forget). */
  onLogError(count: number, error: unknown): void;
  /** Requests in flight at most. @default 4 */
  maxInFlight?: number;
  /** Largest request body in bytes (UTF-8). @default 512 KiB */
  maxBatchBytes?: number;
}

const RUNS = 0;
const PROPOSALS = 1;
const LOGS = 2;
const LIST_NAMES = ['"runs":[', '"proposals":[', '"logs":['] as const;
/** Items per list the server accepts in one request. */
const MAX_ITEMS = 10_000;
/** Microtask hops a batch waits at most while items keep arriving. */
const MAX_HOPS = 16;
// Printable ASCII is one byte a character; anything else is counted exactly.
const NON_ASCII = /[^ -~\t\n\r]/;
const encoder = new TextEncoder();

interface Item {
  list: typeof RUNS | typeof PROPOSALS | typeof LOGS;
  /** The run whose items must reach the server in order. */
  key: string | undefined;
  json: string;
  bytes: number;
  resolve: ((answer: unknown) => void) | undefined;
  reject: ((error: unknown) => void) | undefined;
}

/** Queues items and sends them in batches; see the module doc. */
export class RemoteBatcher {
  #options: RemoteBatcherOptions;
  #maxInFlight: number;
  #maxBytes: number;
  #queue: Item[] = [];
  #inFlight = 0;
  /** Runs with an item in a request in flight. */
  #busy = new Set<string>();
  #logsInFlight = false;
  #scheduled = false;
  #seen = 0;
  #hops = 0;
  #idle: Array<() => void> = [];

  constructor(options: RemoteBatcherOptions) {
    this.#options = options;
    this.#maxInFlight = options.maxInFlight ?? 4;
    this.#maxBytes = options.maxBatchBytes ?? 512 * 1024;
    if (!(Number.isSafeInteger(this.#maxInFlight) && this.#maxInFlight > 0)) {
      throw new RangeError(`maxInFlight ${this.#maxInFlight} must be a positive integer`);
    }
  }

  /** Queues a run to create (`key`: its id); resolves with the server's answer. */
  create(key: string | undefined, run: unknown): Promise<unknown> {
    return this.#enqueue(RUNS, key, run);
  }

  /** Queues a proposal of run `key`; resolves with the server's answer. */
  propose(key: string, proposal: unknown): Promise<unknown> {
    return this.#enqueue(PROPOSALS, key, proposal);
  }

  /** Queues a log line (fire and forget). */
  log(line: unknown): void {
    this.#push(item(LOGS, undefined, line, undefined, undefined));
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #enqueue(list: Item["list"], key: string | undefined, value: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => this.#push(item(list, key, value, resolve, reject)));
  }

  #push(entry: Item): void {
    this.#queue.push(entry);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#seen = this.#queue.length;
    this.#hops = 0;
    queueMicrotask(this.#tick);
  }

  // Like the engine's group commit: wait microtask hops while items keep
  // arriving, and send as soon as a hop brings nothing new (no timer delay).
  #tick = (): void => {
    if (this.#queue.length > this.#seen && this.#hops < MAX_HOPS) {
      this.#seen = this.#queue.length;
      this.#hops += 1;
      queueMicrotask(this.#tick);
      return;
    }
    this.#scheduled = false;
    this.#drain();
  };

  // Sends what may leave now; the rest waits for a request to come back.
  #drain(): void {
    const queue = this.#queue;
    const kept: Item[] = [];
    let batch: Item[] = [];
    let bytes = 0;
    const counts = [0, 0, 0];
    let i = 0;
    for (; i < queue.length && this.#inFlight < this.#maxInFlight; i++) {
      const entry = queue[i]!;
      const blocked = entry.list === LOGS
        ? this.#logsInFlight
        : entry.key !== undefined && this.#busy.has(entry.key);
      if (blocked) {
        kept.push(entry);
        continue;
      }
      if (
        batch.length > 0 &&
        (bytes + entry.bytes > this.#maxBytes || counts[entry.list]! >= MAX_ITEMS)
      ) {
        this.#send(batch);
        batch = [];
        bytes = 0;
        counts.fill(0);
        // The request just sent may have taken this item's run or the logs.
        i -= 1;
        continue;
      }
      batch.push(entry);
      bytes += entry.bytes + 1;
      counts[entry.list]! += 1;
    }
    if (batch.length > 0) this.#send(batch);
    for (; i < queue.length; i++) kept.push(queue[i]!);
    this.#queue = kept;
    this.#notifyIfIdle();
  }

  #send(batch: Item[]): void {
    this.#inFlight += 1;
    let logs = false;
    for (const entry of batch) {
      if (entry.list === LOGS) logs = true;
      else if (entry.key !== undefined) this.#busy.add(entry.key);
    }
    if (logs) this.#logsInFlight = true;
    this.#deliver(batch).catch((error) => this.#fail(batch, error)).finally(() => {
      this.#inFlight -= 1;
      for (const entry of batch) if (entry.key !== undefined) this.#busy.delete(entry.key);
      if (logs) this.#logsInFlight = false;
      if (this.#queue.length > 0) this.#schedule();
      else this.#notifyIfIdle();
    });
  }

  // Posts a batch and settles its items; a batch refused for its size is
  // split in two halves sent one after the other (the halves keep the order).
  async #deliver(batch: Item[]): Promise<void> {
    let answer: BatchAnswer;
    try {
      answer = await this.#options.post(body(batch));
    } catch (error) {
      if (batch.length > 1 && this.#options.tooLarge(error)) {
        const half = Math.ceil(batch.length / 2);
        await this.#deliver(batch.slice(0, half));
        return await this.#deliver(batch.slice(half));
      }
      return this.#fail(batch, error);
    }
    const answers = [answer.runs, answer.results];
    const next = [0, 0];
    let logIndex = 0;
    const refusedLogs = new Map(answer.logs?.rejected.map((r) => [r.index, r.error]) ?? []);
    let firstRefused: ApiItemErrorJson["error"] | undefined;
    for (const entry of batch) {
      if (entry.list === LOGS) {
        firstRefused ??= refusedLogs.get(logIndex);
        logIndex += 1;
        continue;
      }
      const result = answers[entry.list]?.[next[entry.list]!++];
      if (result === undefined) {
        entry.reject!(new Error("Server answered fewer results than sent"));
      } else if (isItemError(result)) {
        entry.reject!(this.#options.itemError(result.error));
      } else entry.resolve!(result);
    }
    if (firstRefused) {
      this.#options.onLogError(refusedLogs.size, this.#options.itemError(firstRefused));
    }
  }

  #fail(batch: Item[], error: unknown): void {
    let logs = 0;
    for (const entry of batch) {
      if (entry.list === LOGS) logs += 1;
      else entry.reject!(error);
    }
    if (logs > 0) this.#options.onLogError(logs, error);
  }

  #isIdle(): boolean {
    return !this.#scheduled && this.#queue.length === 0 && this.#inFlight === 0;
  }

  #notifyIfIdle(): void {
    if (this.#idle.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }
}

function item(
  list: Item["list"],
  key: string | undefined,
  value: unknown,
  resolve: Item["resolve"],
  reject: Item["reject"],
): Item {
  const json = JSON.stringify(value);
  const bytes = NON_ASCII.test(json) ? encoder.encode(json).length : json.length;
  return { list, key, json, bytes, resolve, reject };
}

// `{"runs":[...],"proposals":[...],"logs":[...]}` from the items' JSON, without
// encoding anything twice; empty lists are left out.
function body(batch: Item[]): string {
  const parts: string[][] = [[], [], []];
  for (const entry of batch) parts[entry.list]!.push(entry.json);
  let out = "{";
  for (let list = 0; list < 3; list++) {
    if (parts[list]!.length === 0) continue;
    if (out.length > 1) out += ",";
    out += LIST_NAMES[list] + parts[list]!.join(",") + "]";
  }
  return out + "}";
}

function isItemError(value: unknown): value is ApiItemErrorJson {
  return typeof value === "object" && value !== null && "error" in value;
}
