/**
 * Shared fixtures of the server tests: an app over an engine on a fake
 * clock, flows run for real through the SDK, JSON requests and an SSE reader.
 *
 * @module
 */
import type { SecretCipher } from "../../engine/secrets/mod.ts";
import assert from "node:assert/strict";
import type { Hono } from "hono";
import {
  createEngine,
  createMemoryStore,
  type Engine,
  type EventListener,
  FakeClock,
  SequentialIds,
  type Store,
  type StoreSummary,
} from "../../engine/mod.ts";
import { createApp, type ResultBlobs } from "../../server/mod.ts";
import {
  createLocalControlPlane,
  flow,
  getRunLogger,
  type LocalControlPlane,
  task,
  type TaskFuture,
} from "../../sdk/mod.ts";

/** The start of every fake clock in these tests. */
export const T0 = 1_700_000_000_000;

/** An app with its engine, clock and an SDK control plane on the same engine. */
export interface TestServer {
  app: Hono;
  engine: Engine;
  clock: FakeClock;
  plane: LocalControlPlane;
  /** Aborts the app's signal (ends streams). */
  close(): void;
}

/** Options of {@linkcode testServer}. */
export interface TestServerOptions {
  store?: Store;
  apiKey?: string;
  maxBodyBytes?: number;
  heartbeatMs?: number;
  allowedHosts?: readonly string[];
  sessionTtlMs?: number;
  results?: ResultBlobs;
  /** Lets the server store and reveal secrets. */
  secretCipher?: SecretCipher;
}

/** An app over a fresh engine on a fake clock (memory store unless given one). */
export function testServer(options: TestServerOptions = {}): TestServer {
  const clock = new FakeClock(T0);
  const engine = createEngine({
    store: options.store ?? createMemoryStore(),
    clock,
    ids: new SequentialIds("run"),
  });
  const controller = new AbortController();
  const app = createApp({
    engine,
    clock,
    signal: controller.signal,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.sessionTtlMs ? { sessionTtlMs: options.sessionTtlMs } : {}),
    ...(options.results ? { results: options.results } : {}),
    ...(options.secretCipher ? { secretCipher: options.secretCipher } : {}),
  });
  return {
    app,
    engine,
    clock,
    plane: createLocalControlPlane(engine, clock),
    close: () => controller.abort(),
  };
}

/** A JSON answer: status, parsed body and headers. */
export interface JsonAnswer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

/** Sends a request and parses its JSON answer (null for an empty body). */
export async function call(
  app: Hono,
  path: string,
  init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<JsonAnswer> {
  const body = init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined);
  const res = await app.request(path, {
    method: init.method ?? (body !== undefined ? "POST" : "GET"),
    headers: { "content-type": "application/json", ...init.headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** Asserts the error shape `{ error: { code, message, details } }` with `status` and `code`. */
export function assertError(answer: JsonAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body?.error?.code, code, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.error.message, "string");
  assert.ok("details" in answer.body.error);
}

/** What the store holds, to assert that a refused request changed nothing. */
export function snapshot(engine: Engine): { summary: StoreSummary; lastSeq: number; logs: number } {
  return {
    summary: engine.summary(),
    lastSeq: engine.reader.lastSeq(),
    logs: engine.logs({ limit: 100_000 }).length,
  };
}

const double = task({ name: "double" }, async (x: number) => await Promise.resolve(x * 2));
const total = task({ name: "total" }, async (a: number, b: number, c: number) => {
  getRunLogger().info("summing", 3, "values");
  return await Promise.resolve(a + b + c);
});
const explode = task({ name: "explode" }, async () => {
  getRunLogger().error("about to fail");
  await Promise.resolve();
  throw new Error("boom");
});
const child = flow({ name: "child" }, async (n: number) => await double(n));

/** Maps `double` over three numbers, sums with `total`, and calls the `child` subflow. */
export const etl = flow({ name: "etl" }, async (xs: [number, number, number]) => {
  getRunLogger().info("starting etl");
  getRunLogger().debug("debug detail");
  const [a, b, c] = double.map(xs) as [TaskFuture<number>, TaskFuture<number>, TaskFuture<number>];
  const sum = await total(a, b, c);
  await child(sum);
  return sum;
});

/** Fails in its only task. */
export const broken = flow({ name: "broken" }, async () => await explode());

/** Runs `etl` and `broken` through the SDK; returns their flow run ids. */
export async function seedFlows(server: TestServer): Promise<{ etlId: string; brokenId: string }> {
  const opts = { plane: server.plane, tags: ["nightly"] };
  const ok = await etl.runWith(opts, [1, 2, 3]);
  server.clock.tick(1000);
  const failed = await broken.runWith({ plane: server.plane });
  await server.engine.flush();
  assert.equal(ok.state.type, "COMPLETED");
  assert.equal(failed.state.type, "FAILED");
  return { etlId: ok.runId, brokenId: failed.runId };
}

/** One parsed SSE message. */
export interface SseMessage {
  event: string;
  id: string | undefined;
  data: unknown;
}

/** Reads SSE messages from a response body; every read is bounded in time. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(res: Response) {
    assert.ok(res.body, "the response has no body");
    this.#reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next message (comments skipped); fails after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const message = parseBlock(block);
        if (message) return message;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("Timed out waiting for an SSE message");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("Timed out waiting for an SSE message")), left);
      });
      try {
        const { value, done } = await Promise.race([this.#reader.read(), timeout]);
        if (done) throw new Error("The SSE stream ended");
        this.#buffer += value;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** The next `count` messages that are not heartbeats. */
  async take(count: number, timeoutMs = 2000): Promise<SseMessage[]> {
    const out: SseMessage[] = [];
    while (out.length < count) {
      const message = await this.next(timeoutMs);
      if (message.event !== "heartbeat") out.push(message);
    }
    return out;
  }

  /** Whether the stream ends (within `timeoutMs`), skipping what is left. */
  async ended(timeoutMs = 2000): Promise<boolean> {
    try {
      for (;;) await this.next(timeoutMs);
    } catch (error) {
      return (error as Error).message === "The SSE stream ended";
    }
  }

  /** Disconnects (cancels the body). */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

function parseBlock(block: string): SseMessage | undefined {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("id:")) id = line.slice(3).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trim());
  }
  if (data.length === 0) return undefined;
  return { event, id, data: JSON.parse(data.join("\n")) };
}

/** `engine` with a count of its live event subscriptions. */
export function countingSubscriptions(engine: Engine): { engine: Engine; active(): number } {
  let active = 0;
  const counted = new Proxy(engine, {
    get(target, key) {
      if (key === "subscribe") {
        return (listener: EventListener) => {
          active += 1;
          const off = target.subscribe(listener);
          let done = false;
          return () => {
            if (!done) active -= 1;
            done = true;
            return off();
          };
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { engine: counted, active: () => active };
}

/** Signs in to the dashboard of `app` with `key`; the `name=value` of its session cookie. */
export async function signIn(app: Hono, key: string): Promise<string> {
  const res = await app.request("/login", {
    method: "POST",
    body: new URLSearchParams({ key, next: "/" }),
  });
  const set = res.headers.get("set-cookie");
  assert.equal(res.status, 303, "signed in");
  assert.ok(set, "the sign-in sets a cookie");
  return set.split(";")[0]!;
}

/** The CSRF token of the first form of an HTML page. */
export function csrfOf(page: string): string {
  const match = page.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(match, "the page has a form with a CSRF token");
  return match[1]!;
}
