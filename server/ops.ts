/**
 * Operational routes outside `/api`: `/health` (always open) and `/metrics`.
 *
 * @module
 */
import { z } from "zod";
import { ApiRouter } from "./api/router.ts";
import type { AppDeps } from "./deps.ts";
import type { Metrics } from "./metrics.ts";

const Health = z.object({
  status: z.enum(["ok", "error"]),
  time: z.string(),
  schema_version: z.number().int().optional(),
  last_seq: z.number().int().optional(),
  message: z.string().optional(),
  /** Why the server is unhealthy: `storage_full`, `storage_io_error`, `storage_corrupt`, `store_unavailable`. */
  reason: z.string().optional(),
  /** Since when (ISO time) the storage fault is in effect. */
  since: z.string().optional(),
}).meta({ id: "Health" });

/** Routes of `/health` and `/metrics`. */
export function opsRoutes(deps: AppDeps, metrics: Metrics): ApiRouter {
  const router = new ApiRouter();
  const { engine, clock } = deps;
  router.add({
    method: "get",
    path: "/health",
    tag: "Operations",
    summary: "Liveness and store check; open even with an API key",
    response: Health,
  }, async (c) => {
    const time = new Date(clock.now()).toISOString();
    try {
      // A write failed for lack of space (or an I/O error): unhealthy until a write succeeds.
      const fault = await deps.storageHealth?.probe(engine);
      if (fault) {
        return c.json({
          status: "error",
          time,
          reason: fault.code,
          message: fault.message,
          since: new Date(fault.since).toISOString(),
        }, 503);
      }
      const lastSeq = engine.reader.lastSeq();
      return c.json({
        status: "ok",
        time,
        schema_version: engine.reader.schemaVersion,
        last_seq: lastSeq,
      });
    } catch (error) {
      return c.json(
        { status: "error", time, reason: "store_unavailable", message: String(error) },
        503,
      );
    }
  });

  router.add({
    method: "get",
    path: "/metrics",
    tag: "Operations",
    summary: "Prometheus metrics (text format); needs the API key when one is set",
  }, (c) => {
    const text = metrics.render(engine.summary(), engine.reader.lastSeq());
    return c.text(text, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
  return router;
}
