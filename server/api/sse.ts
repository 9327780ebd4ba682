/**
 * Server-sent event streams of committed events. The stream attaches to the
 * app's event hub first and only then replays what the client missed from the
 * store, so backlog and live events meet with no gap and no duplicate.
 *
 * @module
 */
import type { Engine } from "../../engine/mod.ts";
import { toApiEvent } from "../../wire/mod.ts";
import { type EventHub, frame, type Watch } from "./_event_hub.ts";

/** Options of {@linkcode eventStream}. */
export interface EventStreamOptions {
  engine: Engine;
  /** The app's one subscription to the engine. */
  hub: EventHub;
  /** Which events (and log lines) the client wants; it may change while streamed. */
  watch: Watch;
  /** Replay committed events after this seq first (`Last-Event-ID`); none when undefined. */
  afterSeq: number | undefined;
  heartbeatMs: number;
  /** The stream ends when any of these aborts (client gone, server shutting down). */
  signals: readonly AbortSignal[];
  /** Frames a slow client may fall behind before it is cut off (it resumes with Last-Event-ID). */
  maxBuffered?: number;
}

const REPLAY_PAGE = 500;
const encoder = new TextEncoder();

/**
 * A `text/event-stream` body: `transition` messages (id = event seq,
 * data = `ApiEvent`), `log` messages (no id, data = `ApiLog`) and
 * `heartbeat` messages. Subscribes at once; ends on abort or cancel.
 */
export function eventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const { engine, watch, heartbeatMs } = options;
  const maxBuffered = options.maxBuffered ?? 10_000;
  let live: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const push = (text: string) => {
    if (closed) return;
    live.push(text);
    if (live.length > maxBuffered) close();
    notify();
  };

  // Everything committed up to here comes from the store; later events arrive
  // live. Events of other processes may be delivered late: those up to here are
  // the replay's.
  let replayUntil = Infinity;
  const detach = options.hub.attach(watch, {
    frame: (text, seq) => {
      if (seq === undefined || seq > replayUntil) push(text);
    },
  });
  replayUntil = engine.reader.lastSeq();
  let cursor = options.afterSeq;
  const heartbeat = setInterval(
    () => push(frame("heartbeat", { at: new Date().toISOString() })),
    heartbeatMs,
  );
  const close = () => {
    if (closed) return;
    closed = true;
    detach();
    clearInterval(heartbeat);
    for (const signal of options.signals) signal.removeEventListener("abort", close);
    notify();
  };
  for (const signal of options.signals) {
    if (signal.aborted) close();
    else signal.addEventListener("abort", close, { once: true });
  }

  // One page of missed events; `null` once the backlog is done.
  const replay = (): string[] | null => {
    if (cursor === undefined || cursor >= replayUntil) return null;
    const events = engine.events({ afterSeq: cursor, limit: REPLAY_PAGE });
    const frames: string[] = [];
    for (const event of events) {
      if (event.seq > replayUntil) break;
      cursor = event.seq;
      if (watch.includes(event)) frames.push(frame("transition", toApiEvent(event), event.seq));
    }
    if (events.length < REPLAY_PAGE || cursor >= replayUntil) cursor = undefined;
    return frames;
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      // A first chunk at once: proxies and clients see the stream open.
      controller.enqueue(encoder.encode(": connected\n\n"));
    },
    async pull(controller) {
      for (;;) {
        if (closed) {
          controller.close();
          return;
        }
        const backlog = replay();
        if (backlog !== null) {
          if (backlog.length > 0) return controller.enqueue(encoder.encode(backlog.join("")));
          await new Promise((resolve) => setTimeout(resolve, 0));
          continue;
        }
        if (live.length > 0) {
          const text = live.join("");
          live = [];
          return controller.enqueue(encoder.encode(text));
        }
        await new Promise<void>((resolve) => wake = resolve);
      }
    },
    cancel: close,
  });
}
