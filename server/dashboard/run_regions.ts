/**
 * `GET /runs/:id/regions/:region`: one live region of the run page as an
 * HTML fragment, with the page's query (tab, filters, cursor). The client
 * script fetches the regions a stream message made stale, instead of the
 * whole page; each region computes only its own data.
 *
 * @module
 */
import type { Context } from "hono";
import {
  InvalidArgumentError,
  offeredActions,
  pauseRequestOf,
  type RunRecord,
} from "../../engine/mod.ts";
import type { DeploymentService } from "../../engine/deployments/mod.ts";
import {
  type PageContext,
  RUN_REGIONS,
  RunRegion,
  type RunRegionName,
  type RunRegionProps,
} from "../../ui/mod.ts";
import type { PageKit } from "./kit.ts";
import { sendFragment } from "./render.ts";
import { resultViewOf } from "./result_views.ts";
import { bodyData, flowVersionOf, lineageData, taskCounts } from "./run_data.ts";

/** Registers the run page's region route on `pages`. */
export function runRegionRoutes(
  pages: { get(path: string, handler: (c: Context) => Promise<Response>): unknown },
  kit: PageKit,
  deployments: DeploymentService,
): void {
  const { engine } = kit.deps;
  pages.get(
    "/runs/:id/regions/:region",
    kit.page((c, ctx) => {
      const id = c.req.param("id") ?? "";
      const name = c.req.param("region") ?? "";
      if (!RUN_REGIONS.includes(name as RunRegionName)) {
        throw new InvalidArgumentError(
          `Unknown region "${name}": expected one of ${RUN_REGIONS.join(", ")}`,
        );
      }
      const run = engine.getRun(id);
      // A root task run (called outside a flow) has a run page too, with its regions.
      if (!run || (run.kind === "task" && run.parentId !== null)) {
        return kit.notFound(c, ctx, `Flow run "${id}" does not exist`);
      }
      const params = new URL(c.req.url).searchParams;
      const region = regionProps(name as RunRegionName, run, params, ctx, kit, deployments);
      return sendFragment(c, RunRegion({ region, query: params.toString() }));
    }),
  );
}

function regionProps(
  name: RunRegionName,
  run: RunRecord,
  params: URLSearchParams,
  ctx: PageContext,
  kit: PageKit,
  deployments: DeploymentService,
): RunRegionProps {
  const { engine } = kit.deps;
  switch (name) {
    case "actions":
      return {
        name,
        run,
        offered: offeredActions(run),
        csrf: ctx.session.csrf,
        pause: pauseRequestOf(engine, run) ?? null,
      };
    case "header":
      return {
        name,
        run,
        tasks: taskCounts(engine, run),
        now: ctx.now,
        deploymentName: run.deploymentId === null
          ? null
          : deployments.find(run.deploymentId)?.name ?? null,
        result: resultViewOf(engine, run),
        flowVersion: flowVersionOf(engine, run),
      };
    case "lineage":
      return { name, run, ...lineageData(engine, run) };
    case "body": {
      // Subflows join the timeline's first page; other tabs do not need them.
      const subflows = params.get("tab") === "timeline" || params.get("tab") === "graph"
        ? lineageData(engine, run).subflows
        : [];
      return { name, run, now: ctx.now, ...bodyData(engine, run, params, ctx.now, subflows) };
    }
  }
}
