/**
 * The JSON API under `/api`: every route declared on one {@linkcode ApiRouter},
 * plus the OpenAPI document and docs page generated from those declarations.
 *
 * @example Ask the API router without a port
 * ```ts
 * import assert from "node:assert/strict";
 * import { apiRoutes } from "./mod.ts";
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../../engine/mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * const router = apiRoutes({ engine, clock }, { version: "1.2.3" });
 * const runs = await router.hono.request("/flow-runs");
 * assert.deepEqual(await runs.json(), { items: [], next_cursor: null });
 * const openapi = await (await router.hono.request("/openapi.json")).json();
 * assert.equal(openapi.info.version, "1.2.3");
 * ```
 *
 * @module
 */
import type { AppDeps } from "../deps.ts";
import { actionRoutes } from "./actions.ts";
import { artifactRoutes } from "./artifacts.ts";
import { concurrencyLeaseRoutes } from "./concurrency_leases.ts";
import { concurrencyLimitRoutes } from "./concurrency_limits.ts";
import { deploymentRoutes } from "./deployments.ts";
import { renderDocsPage } from "./docs_page.ts";
import { flowRunGraphRoutes } from "./flow_run_graph.ts";
import { flowRunPartRoutes } from "./flow_run_parts.ts";
import { flowRunRoutes } from "./flow_runs.ts";
import { flowRoutes } from "./flows.ts";
import { flowCatalogRoutes } from "./flow_catalog.ts";
import { planRoutes } from "./plans.ts";
import { openApiDocument, type RouteGroup } from "./openapi.ts";
import { remoteRoutes } from "./remote.ts";
import { lineageRoutes } from "./lineages.ts";
import { resultRoutes } from "./results.ts";
import { ApiRouter } from "./router.ts";
import { streamRoutes } from "./streams.ts";
import { taskRunRoutes } from "./task_runs.ts";
import { workerRoutes } from "./workers.ts";
import { eventRoutes } from "./events.ts";
import { webhookRoutes } from "./webhooks.ts";
import { automationRoutes } from "./automations.ts";
import { workPoolRoutes } from "./work_pools.ts";
import { variableRoutes } from "./variables.ts";
import { secretRoutes } from "./secrets.ts";
import { HttpError } from "../errors.ts";

export { ApiRouter, type RouteSpec } from "./router.ts";
export { openApiDocument, type RouteGroup } from "./openapi.ts";

/** Options of {@linkcode apiRoutes}. */
export interface ApiOptions {
  /** Version shown in the OpenAPI document. */
  version: string;
  /** Other routers to document next to `/api` (e.g. `/health`). */
  documented?: readonly RouteGroup[];
}

/** Builds the `/api` router (mount it at `/api`). */
export function apiRoutes(deps: AppDeps, options: ApiOptions): ApiRouter {
  const router = new ApiRouter();
  flowRunRoutes(router, deps);
  flowRunPartRoutes(router, deps);
  flowRunGraphRoutes(router, deps);
  actionRoutes(router, deps);
  taskRunRoutes(router, deps);
  planRoutes(router, deps);
  flowCatalogRoutes(router, deps); // before flowRoutes: its GET /flows answers first
  flowRoutes(router, deps);
  concurrencyLeaseRoutes(router, deps);
  concurrencyLimitRoutes(router, deps);
  artifactRoutes(router, deps);
  remoteRoutes(router, deps);
  lineageRoutes(router, deps);
  resultRoutes(router, deps);
  streamRoutes(router, deps);
  deploymentRoutes(router, deps);
  workPoolRoutes(router, deps);
  workerRoutes(router, deps);
  variableRoutes(router, deps);
  secretRoutes(router, deps);
  eventRoutes(router, deps);
  webhookRoutes(router, deps);
  automationRoutes(router, deps);

  let doc: ReturnType<typeof openApiDocument> | undefined;
  const document = () =>
    doc ??= openApiDocument(
      [{ prefix: "/api", specs: router.specs }, ...(options.documented ?? [])],
      options.version,
    );
  router.add({
    method: "get",
    path: "/openapi.json",
    tag: "Documentation",
    summary: "This API as an OpenAPI 3.1 document",
  }, (c) => c.json(document()));
  router.add({
    method: "get",
    path: "/docs",
    tag: "Documentation",
    summary: "This API as a readable HTML page",
  }, (c) => c.html(renderDocsPage(document() as Parameters<typeof renderDocsPage>[0])));

  // Unknown /api routes answer JSON here, before the dashboard's routes could claim them.
  router.hono.all("/*", (c) => {
    throw new HttpError(404, "route_not_found", `No route ${c.req.method} "${c.req.path}"`);
  });
  return router;
}
