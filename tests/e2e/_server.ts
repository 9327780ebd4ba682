/**
 * A real IronFlow server on 127.0.0.1 (random port) over a memory store, for
 * end-to-end tests of clients that talk HTTP.
 */
import {
  createEngine,
  createIdSource,
  createMemoryStore,
  type Engine,
  systemClock,
} from "../../engine/mod.ts";
import { createApp, type ResultBlobs, serve } from "../../server/mod.ts";

/** A served app with its engine; disposing stops both. */
export interface TestHttpServer extends AsyncDisposable {
  readonly url: string;
  readonly engine: Engine;
}

/** Options of {@linkcode startTestServer}. */
export interface TestServerOptions {
  /** The server's result store (`PUT`/`GET /api/results/{ref}`); unset: those answer 501. */
  results?: ResultBlobs;
}

/** Serves a fresh app until disposed. */
export function startTestServer(options: TestServerOptions = {}): TestHttpServer {
  const engine = createEngine({
    store: createMemoryStore(),
    clock: systemClock,
    ids: createIdSource(),
  });
  const controller = new AbortController();
  const app = createApp({
    engine,
    clock: systemClock,
    signal: controller.signal,
    ...(options.results ? { results: options.results } : {}),
  });
  const server = serve(app, {
    host: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen: () => {},
  });
  return {
    url: server.url,
    engine,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
      await engine.close();
    },
  };
}
