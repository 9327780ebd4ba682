/**
 * Dashboard page routes (server-rendered Preact). Placeholder until the
 * dashboard lands: a plain home page.
 *
 * @module
 */
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";

/** Routes of the dashboard pages. */
export function createPageRoutes(deps: AppDeps): Hono {
  const pages = new Hono();
  pages.get("/", (c) => {
    const summary = deps.engine.summary();
    return c.html(
      `<!doctype html><title>IronFlow</title><h1>IronFlow</h1><p>${summary.flowRuns} flow runs</p>`,
    );
  });
  return pages;
}
