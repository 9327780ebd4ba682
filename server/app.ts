/**
 * The HTTP application: JSON API, SSE streams, health and metrics, and the
 * dashboard pages, on one Hono app.
 *
 * @module
 */
import { Hono } from "hono";
import config from "../deno.json" with { type: "json" };
import { apiRoutes } from "./api/mod.ts";
import { WEBHOOK_CALL_PATH } from "./api/webhooks.ts";
import { apiKeyAuth } from "./auth.ts";
import { bodyLimit } from "./body_limit.ts";
import { compressHtml } from "./compress_html.ts";
import type { AppDeps } from "./deps.ts";
import { handleError, handleNotFound } from "./errors.ts";
import { Metrics } from "./metrics.ts";
import { opsRoutes } from "./ops.ts";
import { StorageHealth } from "./storage_health.ts";
import { createPageRoutes } from "./dashboard/mod.ts";
import { crossSiteGuard, hostGuard } from "./request_guard.ts";
import { SessionStore } from "./sessions.ts";

/** Default largest request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/**
 * Creates the app. Call it with `app.request()` in tests, or serve it with
 * `serve()`. Aborting `deps.signal` ends open SSE streams and the metrics
 * subscription.
 *
 * @example
 * ```ts
 * import { createApp } from "./app.ts";
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../engine/mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * const app = createApp({ engine, clock });
 * const res = await app.request("/health");
 * console.log(res.status); // 200
 * ```
 */
export function createApp(appDeps: AppDeps): Hono {
  const deps = {
    ...appDeps,
    storageHealth: appDeps.storageHealth ?? new StorageHealth(appDeps.clock),
  };
  const app = new Hono();
  const metrics = new Metrics(deps.clock);
  const unwatch = metrics.watch(deps.engine);
  deps.signal?.addEventListener("abort", unwatch, { once: true });

  app.onError(function onError(error, c) {
    deps.storageHealth.report(error);
    return handleError(error, c);
  });
  app.notFound(handleNotFound);
  app.use("*", metrics.middleware());
  app.use("*", compressHtml());
  app.use("*", hostGuard({ allowedHosts: deps.allowedHosts ?? [] }));
  app.use("*", crossSiteGuard());
  const limitBody = bodyLimit(deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  app.use("*", async function limitBodies(c, next) {
    // Result uploads have their own, larger limit (server/api/results.ts).
    if (c.req.method === "PUT" && c.req.path.startsWith("/api/results/")) return await next();
    return await limitBody(c, next);
  });
  // In the engine's documents: every server on the database shares them.
  const sessions = new SessionStore(deps.clock, {
    documents: deps.engine,
    ...(deps.sessionTtlMs === undefined ? {} : { ttlMs: deps.sessionTtlMs }),
  });
  app.use("/api/*", apiKeyAuth(deps.apiKey, { sessions, ownTokenPaths: WEBHOOK_CALL_PATH }));
  app.use("/metrics", apiKeyAuth(deps.apiKey, { sessions }));

  const ops = opsRoutes(deps, metrics);
  const api = apiRoutes(deps, {
    version: config.version,
    documented: [{ prefix: "", specs: ops.specs }],
  });
  app.route("/", ops.hono);
  app.route("/api", api.hono);
  app.route("/", createPageRoutes(deps, { sessions }));
  return app;
}
