/**
 * The events of the runs a remote client process watches, over one SSE
 * stream however many runs it watches: a server-side subscription (an id this
 * process chose) whose runs are added and removed by small POSTs, the changes
 * of one turn in one request.
 *
 * @module
 */
import type { ApiEvent } from "../wire/mod.ts";

/** A change of the runs a subscription follows (`POST /api/stream/subscriptions/{id}`). */
export interface SubscriptionChange {
  replace?: string[];
  add?: string[];
  remove?: string[];
}

/** Options of {@linkcode RunEventFeed}. */
export interface RunEventFeedOptions {
  /** The subscription's SSE stream (`/api/stream/subscriptions/{id}/events`). */
  streamUrl: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  /** Sends a change to the server; rejects when it could not. */
  change(change: SubscriptionChange): Promise<unknown>;
}

type Listener = (event: ApiEvent) => void;

/** One event stream shared by every watched run of a client process. */
export class RunEventFeed {
  readonly #options: RunEventFeedOptions;
  readonly #listeners = new Map<string, Set<Listener>>();
  // What the server does not know yet; `#reset` sends the whole set instead.
  readonly #added = new Set<string>();
  readonly #removed = new Set<string>();
  #reset = true;
  #sending: Promise<void> | undefined;
  #stream: AbortController | undefined;
  #stopCheck: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RunEventFeedOptions) {
    this.#options = options;
  }

  /** Calls `listener` with the run's events from about now on; returns the unwatch function. */
  watch(runId: string, listener: Listener): () => void {
    let set = this.#listeners.get(runId);
    if (!set) {
      this.#listeners.set(runId, set = new Set());
      if (!this.#removed.delete(runId)) this.#added.add(runId);
      this.#send();
    }
    set.add(listener);
    if (!this.#stream) this.#start();
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      set.delete(listener);
      if (set.size > 0 || this.#listeners.get(runId) !== set) return;
      this.#listeners.delete(runId);
      if (!this.#added.delete(runId)) this.#removed.add(runId);
      this.#send();
      if (this.#listeners.size === 0) this.#stopSoon();
    };
  }

  /** Ends the stream. */
  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  /** Settles once the changes made so far were sent (or failed). */
  async settled(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  #send(): Promise<void> {
    return this.#sending ??= this.#sendChanges().finally(() => this.#sending = undefined);
  }

  // One request at a time, so the server applies changes in the order made.
  async #sendChanges(): Promise<void> {
    // The watches of this turn leave together.
    await new Promise((resolve) => setTimeout(resolve, 0));
    while (this.#reset || this.#added.size > 0 || this.#removed.size > 0) {
      if (!this.#stream) {
        // Nothing streams: the next stream sends the whole set.
        this.#reset = true;
        this.#added.clear();
        this.#removed.clear();
        return;
      }
      const change: SubscriptionChange = this.#reset ? { replace: [...this.#listeners.keys()] } : {
        ...(this.#added.size > 0 ? { add: [...this.#added] } : {}),
        ...(this.#removed.size > 0 ? { remove: [...this.#removed] } : {}),
      };
      this.#reset = false;
      this.#added.clear();
      this.#removed.clear();
      try {
        await this.#options.change(change);
      } catch {
        // The stream's next connection sends the whole set again.
        this.#reset = true;
        return;
      }
    }
  }

  #stopSoon(): void {
    // A run that ends and a run that starts in the same turn keep the stream.
    clearTimeout(this.#stopCheck);
    this.#stopCheck = setTimeout(() => {
      this.#stopCheck = undefined;
      if (this.#listeners.size === 0) this.#stop();
    }, 0);
  }

  #stop(): void {
    clearTimeout(this.#stopCheck);
    this.#stream?.abort();
    this.#stream = undefined;
    this.#reset = true;
  }

  #start(): void {
    const controller = new AbortController();
    this.#stream = controller;
    this.#read(controller.signal);
  }

  // Reads the stream, reconnecting with Last-Event-ID until aborted; each
  // connection first tells the server the whole set (it may have forgotten).
  async #read(signal: AbortSignal): Promise<void> {
    const { streamUrl, headers, fetch: doFetch } = this.#options;
    let lastId: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        this.#reset = true;
        await this.settled();
        await this.#send();
        if (signal.aborted) return;
        const response = await doFetch(streamUrl, {
          headers: {
            ...headers,
            accept: "text/event-stream",
            ...(lastId ? { "last-event-id": lastId } : {}),
          },
          signal,
        });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        failures = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        // Aborting the fetch does not always end a read already waiting on
        // the decoded body: a stream left open keeps the process from exiting
        // after close(). Cancelling the reader closes the connection.
        const cancel = () => void reader.cancel().catch(() => {});
        signal.addEventListener("abort", cancel, { once: true });
        try {
          let buffer = "";
          while (true) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end: number;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const message = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let type = "message";
              let data = "";
              for (const line of message.split("\n")) {
                if (line.startsWith("id:")) lastId = line.slice(3).trim();
                else if (line.startsWith("event:")) type = line.slice(6).trim();
                else if (line.startsWith("data:")) data += line.slice(5).trim();
              }
              if (type === "transition" && data) this.#dispatch(JSON.parse(data) as ApiEvent);
            }
          }
        } finally {
          signal.removeEventListener("abort", cancel);
        }
      } catch {
        if (signal.aborted) return;
        failures += 1;
      }
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** failures)));
    }
  }

  #dispatch(event: ApiEvent): void {
    const set = this.#listeners.get(event.run_id);
    if (!set) return;
    for (const listener of [...set]) listener(event);
  }
}
