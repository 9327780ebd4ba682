/**
 * The flow catalog: look-up by name or former name, rename, archive, restore,
 * delete, run retention and its sweep (which purges old terminal runs); and
 * `GET /flows`, which follows the catalog (aliases merged, archived flows
 * hidden unless `?archived=true`).
 *
 * Mount before {@linkcode flowRoutes}: its `GET /flows` answers first.
 *
 * @module
 */
import { z } from "zod";
import {
  archiveFlow,
  deleteFlow,
  type FlowRecord,
  getFlow,
  listFlows,
  renameFlow,
  restoreFlow,
  setRetention,
} from "../../engine/catalog/mod.ts";
import { purgeHistory, sweepRetention } from "../../engine/retention/mod.ts";
import type { Engine } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { pageOf, StateSchema } from "../../wire/schemas.ts";

const FlowName = z.string().trim().min(1).max(200);

const FlowCatalogEntry = z.object({
  id: z.string(),
  name: z.string(),
  formerly: z.array(z.string()),
  archived: z.boolean(),
  archived_at: z.string().nullable(),
  retention_days: z.number().int().nullable(),
  purged_runs: z.number().int()
    .meta({ description: "Root flow runs the retention sweep purged, with their trees" }),
  last_purge_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: "FlowCatalogEntry" });

const FlowListItem = z.object({
  id: z.string().nullable().meta({ description: "Catalog id; null until a catalog operation" }),
  name: z.string(),
  formerly: z.array(z.string()),
  archived: z.boolean(),
  retention_days: z.number().int().nullable(),
  runs: z.number().int(),
  last_run: z.object({ id: z.string(), state: StateSchema, created_at: z.string() }),
}).meta({ id: "FlowListItem" });

const SweepAnswer = z.object({
  ran: z.boolean(),
  roots: z.number().int().meta({ description: "Root flow runs purged, each with its tree" }),
  flow_runs: z.number().int().meta({ description: "Flow runs purged: roots and subflow runs" }),
  task_runs: z.number().int(),
  events: z.number().int(),
  logs: z.number().int(),
  documents: z.number().int(),
  result_files: z.number().int().optional()
    .meta({
      description: "Result files deleted that no surviving run references; absent when the " +
        "server keeps no result files",
    }),
  kept: z.number().int()
    .meta({ description: "Due runs kept: live in their tree or lineage, or the newest event's" }),
  more: z.boolean().meta({ description: "max_runs stopped the sweep; sweep again" }),
}).meta({ id: "RetentionSweep" });

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

function toApi(engine: Engine, flow: FlowRecord) {
  const purges = purgeHistory(engine.reader, flow.id);
  return {
    id: flow.id,
    name: flow.name,
    formerly: flow.formerly,
    archived: flow.archived,
    archived_at: iso(flow.archivedAt),
    retention_days: flow.retentionDays,
    purged_runs: purges.reduce((sum, purge) => sum + purge.roots, 0),
    last_purge_at: iso(purges.at(-1)?.at ?? null),
    created_at: iso(flow.createdAt),
    updated_at: iso(flow.updatedAt),
  };
}

/** Registers the flow catalog routes and the catalog-aware `GET /flows`. */
export function flowCatalogRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  const { reader: store, clock } = engine;
  const tag = "Flows";
  const name = { name: "Flow name or former name" };

  router.add({
    method: "get",
    path: "/flows",
    tag,
    summary: "List flows with run counts and the last run (archived ones with ?archived=true)",
    query: z.strictObject({
      archived: z.enum(["true", "false"]).optional()
        .meta({ description: "Include archived flows; default false" }),
    }),
    response: pageOf(FlowListItem),
  }, (c, { query }) => {
    const items = listFlows(store, { archived: query.archived === "true" }).map((f) => ({
      id: f.id,
      name: f.name,
      formerly: f.formerly,
      archived: f.archived,
      retention_days: f.retentionDays,
      runs: f.runs,
      last_run: { id: f.lastRun.id, state: f.lastRun.state, created_at: iso(f.lastRun.createdAt) },
    }));
    return c.json({ items, next_cursor: null });
  });

  router.add({
    method: "post",
    path: "/flows/retention/sweep",
    tag,
    summary: "Purge terminal runs older than their flow's retention (never live runs)",
    description: "Deletes each due root flow run with its subflow runs, task runs, events, " +
      "logs and artifacts, in transactions of a few hundred runs; records each purge in " +
      "the flow's catalog entry; then deletes the server's result files no surviving run " +
      "references (written or reused over an hour ago). The services loop runs the same " +
      "sweep hourly.",
    query: z.strictObject({
      max_runs: z.coerce.number().int().min(1).optional()
        .meta({ description: "Stop after this many root runs (more: true); default all" }),
    }),
    response: SweepAnswer,
  }, async (c, { query }) => {
    const files = deps.results?.files;
    const done = await sweepRetention(engine, clock, {
      ...(query.max_runs !== undefined ? { maxRuns: query.max_runs } : {}),
      ...(files ? { results: files } : {}),
    });
    return c.json({
      ran: done.ran,
      roots: done.roots,
      flow_runs: done.flowRuns,
      task_runs: done.taskRuns,
      events: done.events,
      logs: done.logs,
      documents: done.documents,
      ...(files ? { result_files: done.results } : {}),
      kept: done.kept,
      more: done.more,
    });
  });

  router.add({
    method: "get",
    path: "/flows/catalog/:name",
    tag,
    summary: "A flow's catalog entry, by name or former name",
    params: name,
    response: FlowCatalogEntry,
  }, async (c, { params }) => c.json(toApi(engine, await getFlow(engine, clock, params.name!))));

  router.add(
    {
      method: "post",
      path: "/flows/:name/rename",
      tag,
      summary: "Rename a flow; its id stays and the old name becomes an alias",
      description: "Runs keep the flow name they recorded; look-ups by the old name find the flow.",
      params: name,
      body: z.strictObject({ name: FlowName }),
      response: FlowCatalogEntry,
    },
    async (c, { params, body }) =>
      c.json(toApi(engine, await renameFlow(engine, clock, params.name!, body.name))),
  );

  router.add(
    {
      method: "post",
      path: "/flows/:name/archive",
      tag,
      summary: "Archive a flow (hidden from GET /flows)",
      params: name,
      response: FlowCatalogEntry,
    },
    async (c, { params }) => c.json(toApi(engine, await archiveFlow(engine, clock, params.name!))),
  );

  router.add(
    {
      method: "post",
      path: "/flows/:name/restore",
      tag,
      summary: "Restore an archived flow",
      params: name,
      response: FlowCatalogEntry,
    },
    async (c, { params }) => c.json(toApi(engine, await restoreFlow(engine, clock, params.name!))),
  );

  router.add(
    {
      method: "patch",
      path: "/flows/:name",
      tag,
      summary: "Set the run retention of a flow (null keeps runs forever)",
      params: name,
      body: z.strictObject({ retention_days: z.number().int().min(1).max(36_500).nullable() }),
      response: FlowCatalogEntry,
    },
    async (c, { params, body }) =>
      c.json(toApi(engine, await setRetention(engine, clock, params.name!, body.retention_days))),
  );

  router.add({
    method: "delete",
    path: "/flows/:name",
    tag,
    summary: "Delete a flow from the catalog (409 while deployments or live runs exist)",
    params: name,
    response: FlowCatalogEntry,
  }, async (c, { params }) => {
    const flow = await deleteFlow(engine, clock, params.name!);
    return c.json(toApi(engine, flow));
  });
}
