/**
 * The IronFlow server: JSON API, SSE streams, metrics and the dashboard on
 * one Hono app.
 *
 * @example Serve the embedded store
 * ```ts ignore
 * import { startServer } from "./mod.ts";
 * const server = await startServer({ home: "./.ironflow", port: 4200 });
 * // ... SIGINT/SIGTERM or:
 * await server.shutdown();
 * ```
 *
 * @example Test without a port
 * ```ts
 * import { createApp } from "./mod.ts";
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../engine/mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * const res = await createApp({ engine, clock }).request("/api/flow-runs");
 * console.log(res.status, await res.json()); // 200 { items: [], next_cursor: null }
 * ```
 *
 * @module
 */
export { createApp, DEFAULT_MAX_BODY_BYTES } from "./app.ts";
export type { AppDeps, ResultBlobs } from "./deps.ts";
export {
  isLoopback,
  type RunningServer,
  serve,
  servedHosts,
  type ServeOptions,
  type ServerHandle,
  startServer,
  type StartServerOptions,
} from "./serve.ts";
export {
  apiKeyAuth,
  type ApiKeyAuthOptions,
  bearerToken,
  SESSION_COOKIE,
  verifyApiKey,
} from "./auth.ts";
export {
  crossSiteGuard,
  hostAllowed,
  hostGuard,
  type HostGuardOptions,
  parseAllowedHosts,
} from "./request_guard.ts";
export { DEFAULT_SESSION_TTL_MS, SessionStore, type SessionStoreOptions } from "./sessions.ts";
export { type ApiErrorBody, errorBody, HttpError } from "./errors.ts";
export {
  type ServicesHandle,
  type ServicesOptions,
  startServices,
  type TickReport,
} from "./services/services_loop.ts";
