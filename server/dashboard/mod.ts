/**
 * Dashboard page routes: server-rendered Preact pages from `ui/`, the
 * stylesheet and client script, sign-in, and the run actions as HTML form
 * posts that work without JavaScript. Deployments and work pools live in
 * `deployment_pages.ts`; events, automations, variables and secrets in
 * `event_pages.ts`, `automation_pages.ts` and `variable_pages.ts`.
 *
 * @example Mount the pages on an app
 * ```ts ignore
 * import { Hono } from "hono";
 * import { createPageRoutes } from "./mod.ts";
 * const sessions = new SessionStore(clock);
 * const app = new Hono().route("/", createPageRoutes({ engine, clock }, { sessions }));
 * const res = await app.request("/"); // the runs page
 * ```
 *
 * @module
 */
import { type Context, Hono } from "hono";
import {
  artifactKeyEntry,
  artifactKeys,
  artifactVersions,
  heldSlotsOf,
  InvalidArgumentError,
  InvalidCursorError,
} from "../../engine/mod.ts";
import {
  ArtifactKeyPage,
  ArtifactsPage,
  ConcurrencyPage,
  ErrorPage,
  flowHref,
  FlowPage,
  FlowsPage,
  LoginPage,
  type PageContext,
  RunsPage,
} from "../../ui/mod.ts";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import {
  findFlow,
  flowNames,
  flowRunCounts,
  listFlows,
  pageFlowRuns,
} from "../../engine/catalog/mod.ts";
import type { AppDeps } from "../deps.ts";
import { describeError } from "../errors.ts";
import { ASSET_URLS, assetRoutes } from "./assets.ts";
import { Flashes } from "./flashes.ts";
import { deploymentPages } from "./deployment_pages.ts";
import { deploymentNames, deploymentRow, deploymentsWhere } from "./deployments_data.ts";
import type { FormHandler, PageHandler, PageKit } from "./kit.ts";
import { sendPage } from "./render.ts";
import { runPages } from "./run_pages.ts";
import { runRegionRoutes } from "./run_regions.ts";
import { bulkRunAction } from "./bulk_actions.ts";
import {
  activity,
  filterWindow,
  parseFilters,
  pastLastRuns,
  rootTaskRows,
  runRows,
  scopeQuery,
  sumCounts,
  upcomingRows,
  withTaskCounts,
} from "./runs_data.ts";
import { CSRF_FIELD, localPath, PageSessions } from "./session.ts";
import { limitForms } from "./limit_forms.ts";
import { eventPages } from "./event_pages.ts";
import { automationPages } from "./automation_pages.ts";
import { variablePages } from "./variable_pages.ts";
import { isTheme, rememberTheme, themeOf } from "./theme.ts";
import type { SessionStore } from "../sessions.ts";

/** Options of {@linkcode createPageRoutes}. */
export interface PageRoutesOptions {
  /** Where sign-in keeps its sessions; share it with the API's `apiKeyAuth()`. */
  sessions: SessionStore;
}

/** Routes of the dashboard pages; mount at `/`. */
export function createPageRoutes(deps: AppDeps, options: PageRoutesOptions): Hono {
  const { engine, clock } = deps;
  const pages = new Hono();
  const sessions = new PageSessions(deps.apiKey, options.sessions);
  const flashes = new Flashes();

  // No `pages.use("*")`: mounted at "/", it would also wrap the API's routes.
  const context = (c: Context): PageContext => ({
    assets: ASSET_URLS,
    session: sessions.info(c),
    now: clock.now(),
    theme: themeOf(c),
  });
  const fail = (c: Context, error: unknown) => {
    const { status, body } = describeError(error);
    // A storage fault is reported (and logged once) by the storage health;
    // any other 5xx is a bug worth a stack trace.
    const storageFault = deps.storageHealth?.report(error) !== undefined;
    if (status >= 500 && !storageFault) console.error(error);
    const code = ([400, 403, 404, 409, 503] as const).find((s) => s === status) ?? 500;
    return sendPage(
      c,
      ErrorPage({ ctx: context(c), status: code, message: body.error.message }),
      code,
    );
  };
  const page = (handler: PageHandler) => async (c: Context) => {
    if (!sessions.signedIn(c)) {
      const next = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(next.pathname + next.search)}`, 303);
    }
    try {
      const result = await handler(c, context(c));
      return result instanceof Response ? result : sendPage(c, result);
    } catch (error) {
      return fail(c, error);
    }
  };
  const notFound = (c: Context, ctx: PageContext, message: string) =>
    sendPage(c, ErrorPage({ ctx, status: 404, message }), 404);
  const refused = (c: Context) =>
    sendPage(
      c,
      ErrorPage({
        ctx: context(c),
        status: 403,
        message:
          "This form has expired or did not come from this dashboard. Reload the page and try again.",
      }),
      403,
    );
  const formRoute = (handler: FormHandler) => async (c: Context) => {
    if (!sessions.signedIn(c)) return c.redirect("/login", 303);
    const body = await c.req.parseBody();
    if (!sessions.checkCsrf(c, body[CSRF_FIELD])) return refused(c);
    try {
      return await handler(c, body, context(c));
    } catch (error) {
      return fail(c, error);
    }
  };
  const kit: PageKit = { deps, flashes, page, form: formRoute, notFound };
  const deployments = new DeploymentService(engine);

  assetRoutes(pages);

  pages.get("/login", (c) => {
    if (!sessions.required) return c.redirect("/", 303);
    const next = localPath(c.req.query("next"));
    return sendPage(c, LoginPage({ assets: ASSET_URLS, next, error: null }));
  });
  pages.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const next = localPath(form["next"]);
    if (await sessions.signIn(c, form["key"])) return c.redirect(next, 303);
    return sendPage(
      c,
      LoginPage({ assets: ASSET_URLS, next, error: "That API key is not the server's key." }),
      403,
    );
  });
  pages.post("/logout", async (c) => {
    const form = await c.req.parseBody();
    if (!sessions.checkCsrf(c, form[CSRF_FIELD])) return c.text("Invalid form token", 403);
    await sessions.signOut(c);
    return c.redirect(sessions.required ? "/login" : "/", 303);
  });

  // Not behind sign-in: a theme is no secret, and the form still needs the CSRF token.
  pages.post("/theme", async (c) => {
    const form = await c.req.parseBody();
    if (!sessions.checkCsrf(c, form[CSRF_FIELD])) return refused(c);
    const theme = form["theme"];
    if (!isTheme(theme)) {
      return fail(c, new InvalidArgumentError(`Unknown theme "${String(theme)}"`));
    }
    rememberTheme(c, theme);
    return c.redirect(pageBefore(c), 303);
  });

  pages.get(
    "/",
    page((c, ctx) => {
      const params = new URL(c.req.url).searchParams;
      const filters = parseFilters(params);
      const cursor = params.get("cursor");
      const window = filterWindow(engine, filters, ctx.now);
      const scope = scopeQuery(filters, deployments);
      const { rows, nextCursor } = runRows(engine, filters, scope, window, cursor, ctx.now);
      const upcoming = cursor === null
        ? upcomingRows(engine, filters, scope, ctx.now)
        : { rows: [], total: 0 };
      const chart = activity(
        engine,
        window,
        filters.flow === null ? {} : { flowName: filters.flow },
      );
      const storeEmpty = rows.length === 0 && cursor === null &&
        engine.listRuns({ kind: "flow", limit: 1 }).items.length === 0;
      return RunsPage({
        ctx,
        filters,
        rows,
        flowNames: engine.reader.flowNames(500),
        activity: chart,
        stateCounts: sumCounts(chart),
        nextCursor,
        paged: cursor !== null,
        storeEmpty,
        taskRuns: cursor === null ? rootTaskRows(engine) : [],
        deploymentNames: deploymentNames(
          deployments,
          [...rows, ...upcoming.rows].map((row) => row.run),
        ),
        upcoming,
        flash: flashes.take(params.get("flash")),
      });
    }),
  );

  runPages(pages, kit, deployments);
  runRegionRoutes(pages, kit, deployments);

  // Before "/runs/:id/:action" would not matter (two segments), but reads as the list's own.
  pages.post("/runs/bulk", async (c) => {
    if (!sessions.signedIn(c)) return c.redirect("/login", 303);
    const form = await c.req.parseBody({ all: true });
    if (!sessions.checkCsrf(c, form[CSRF_FIELD])) return refused(c);
    const next = localPath(form["next"]);
    try {
      const runs = form["run"];
      const outcome = await bulkRunAction(
        engine,
        form["action"],
        Array.isArray(runs) ? runs : runs === undefined ? [] : [runs],
      );
      return c.redirect(withFlash(next, flashes.put(outcome.ok, outcome.message)), 303);
    } catch (error) {
      const { status, body } = describeError(error);
      if (status >= 500) return fail(c, error);
      return c.redirect(withFlash(next, flashes.put(false, body.error.message)), 303);
    }
  });

  pages.get(
    "/flows",
    page((c, ctx) => {
      const archived = c.req.query("archived") === "true";
      const flows = pastLastRuns(engine, listFlows(engine.reader, { archived }), ctx.now);
      return FlowsPage({ ctx, archived, flows });
    }),
  );

  pages.get(
    "/flows/:name",
    page((c, ctx) => {
      const flowName = c.req.param("name") ?? "";
      // A former name (or the flow's id) leads to the flow under its current name.
      const flow = findFlow(engine.reader, flowName);
      if (flow && flow.name !== flowName) return c.redirect(flowHref(flow.name), 302);
      const names = flow ? flowNames(flow) : [flowName];
      const cursor = c.req.query("cursor") ?? null;
      const counts = flowRunCounts(engine.reader, names);
      const ofFlow = deploymentsWhere(deployments, (d) => names.includes(d.flowName));
      if (Object.keys(counts).length === 0 && ofFlow.length === 0) {
        return notFound(
          c,
          ctx,
          `No flow named "${flowName}" has run or been deployed on this server`,
        );
      }
      let pageOfRuns;
      try {
        pageOfRuns = pageFlowRuns(engine.reader, names, { cursor, limit: 25 });
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        return c.redirect(flowHref(flowName), 302);
      }
      return FlowPage({
        ctx,
        flowName,
        formerly: flow?.formerly ?? [],
        counts,
        rows: withTaskCounts(engine, pageOfRuns.items),
        nextCursor: pageOfRuns.nextCursor,
        paged: cursor !== null,
        deployments: ofFlow.map((d) => deploymentRow(engine, d, ctx.now)),
        deploymentNames: deploymentNames(deployments, pageOfRuns.items),
      });
    }),
  );

  deploymentPages(pages, kit);
  pages.get(
    "/artifacts",
    page((c, ctx) => {
      const after = c.req.query("after");
      const { items, nextAfterKey } = artifactKeys(engine.reader, {
        limit: 50,
        ...(after ? { afterKey: after } : {}),
      });
      const nextHref = nextAfterKey === null
        ? null
        : `/artifacts?after=${encodeURIComponent(nextAfterKey)}`;
      return ArtifactsPage({ ctx, keys: items, nextHref });
    }),
  );
  pages.get(
    "/artifacts/:key",
    page((c, ctx) => {
      const key = c.req.param("key") ?? "";
      const entry = artifactKeyEntry(engine.reader, key);
      const versions = entry ? artifactVersions(engine.reader, key) : [];
      if (!entry || versions.length === 0) {
        return notFound(c, ctx, `No stored artifact has the key "${key}"`);
      }
      return ArtifactKeyPage({ ctx, artifactKey: key, versions, created: entry.versions });
    }),
  );
  pages.get(
    "/concurrency-limits",
    page((c, ctx) =>
      ConcurrencyPage({
        ctx,
        // Slots in use are derived from the live leases, read without writing:
        // a page must show with the disk full.
        limits: engine.reader.concurrencyLimits().map((limit) => ({
          ...limit,
          activeSlots: heldSlotsOf(engine.reader, limit, ctx.now),
        })),
        flash: flashes.take(c.req.query("flash") ?? null),
      })
    ),
  );
  limitForms(pages, kit);
  eventPages(pages, kit);
  automationPages(pages, kit);
  variablePages(pages, kit);
  return pages;
}

// `path` (a local path with its query) with the flash message's id added.
function withFlash(path: string, flash: string): string {
  const url = new URL(path, "http://local");
  url.searchParams.set("flash", flash);
  return url.pathname + url.search;
}

// Back to the page the form was on (the Referer, same origin only), else home.
function pageBefore(c: Context): string {
  const referer = URL.parse(c.req.header("referer") ?? "");
  if (referer === null || referer.origin !== new URL(c.req.url).origin) return "/";
  return localPath(referer.pathname + referer.search);
}
