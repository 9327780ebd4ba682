/**
 * The deployments pages, and their forms (all plain HTML posts with a CSRF
 * token, working without JavaScript): a deployment's quick run, pause and
 * resume, settings, and the schedule editor (preview, save, turn on/off,
 * remove). The work pool pages are in `work_pool_pages.ts`. Writes go
 * through the same engine functions as the API: `DeploymentService`,
 * `triggerDeploymentRun`.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { VNode } from "preact";
import { type Schedule, scheduleKey } from "../../engine/mod.ts";
import {
  type Deployment,
  DeploymentError,
  DeploymentService,
  scheduleMisses,
  triggerDeploymentRun,
  workPoolNames,
} from "../../engine/deployments/mod.ts";
import {
  deploymentHref,
  DeploymentPage,
  type DeploymentSettingsDraft,
  DeploymentsPage,
  type FlashData,
  type PageContext,
  type QuickRunDraft,
  runHref,
  type ScheduleDraft,
  type SchedulePreview,
} from "../../ui/mod.ts";
import {
  DEPLOYMENT_RUNS_PAGE_SIZE,
  deploymentRow,
  DEPLOYMENTS_PAGE_SIZE,
  draftOf,
  indexField,
  NEW_SCHEDULE,
  NEXT_RUNS_SHOWN,
  parseScheduleForm,
  previewOf,
  scheduleFromDraft,
  scheduleViews,
  SUGGESTED_TIMEZONES,
} from "./deployments_data.ts";
import type { PageKit } from "./kit.ts";
import {
  readSettings,
  refusedSettings,
  settingsDraft,
  settingsFields,
} from "./deployment_settings.ts";
import { failedDraft, freshDraft, quickRunFields, readQuickRun } from "./quick_run.ts";
import { sendPage } from "./render.ts";
import { withTaskCounts } from "./runs_data.ts";
import { workPoolPages } from "./work_pool_pages.ts";

/** What a deployment's page shows beyond the deployment itself. */
interface DeploymentView {
  settings?: DeploymentSettingsDraft;
  draft?: ScheduleDraft;
  preview?: SchedulePreview | null;
  quickRun?: QuickRunDraft;
  runKey?: string;
  flash?: FlashData | null;
}

const STALE_SCHEDULE =
  "The schedules of this deployment changed since this page was loaded; nothing was changed. " +
  "Look at them again and retry.";

/** A form field as text ("" when absent or a file). */
function field(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

/** A client-made idempotency key of the quick-run form, if it looks like one. */
function runKeyOf(form: Record<string, unknown>): string | undefined {
  const key = field(form, "idempotency_key");
  return /^[\w-]{8,100}$/.test(key) ? key : undefined;
}

/** Registers the deployment and work pool pages on `pages`. */
export function deploymentPages(pages: Hono, kit: PageKit): void {
  const { engine } = kit.deps;
  const service = new DeploymentService(engine);

  const poolChoices = (deployment: Deployment) =>
    [
      ...new Set([...workPoolNames(engine.reader), deployment.workPool]),
    ].sort();

  const view = (
    c: Context,
    ctx: PageContext,
    deployment: Deployment,
    shown: DeploymentView = {},
  ): VNode => {
    const cursor = c.req.method === "GET" ? c.req.query("cursor") ?? null : null;
    const runs = service.runs(deployment.id, {
      limit: DEPLOYMENT_RUNS_PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    });
    return DeploymentPage({
      ctx,
      deployment,
      schedules: scheduleViews(
        deployment,
        ctx.now,
        NEXT_RUNS_SHOWN,
        scheduleMisses(engine.reader, deployment),
      ),
      draft: shown.draft ?? NEW_SCHEDULE,
      preview: shown.preview ?? null,
      timezones: [
        ...new Set([...SUGGESTED_TIMEZONES, ...deployment.schedules.map((s) => s.timezone)]),
      ],
      quickRun: shown.quickRun ?? freshDraft(deployment),
      quickRunFields: quickRunFields(deployment),
      runKey: shown.runKey ?? crypto.randomUUID(),
      runs: withTaskCounts(engine, runs.items),
      nextCursor: runs.nextCursor,
      paged: cursor !== null,
      counts: engine.reader.countRuns({ kind: "flow", deploymentId: deployment.id }),
      activeRuns: deploymentRow(engine, deployment, ctx.now).activeRuns,
      flash: shown.flash ?? null,
      settings: shown.settings ?? settingsDraft(deployment),
      settingsFields: settingsFields(deployment),
      workPools: poolChoices(deployment),
    });
  };

  /** Back to the deployment's page (at `anchor`) with a one-time message. */
  const back = (c: Context, deployment: Deployment, ok: boolean, message: string, anchor = "") =>
    c.redirect(
      `${deploymentHref(deployment.name, { flash: kit.flashes.put(ok, message) })}${anchor}`,
      303,
    );

  pages.get(
    "/deployments",
    kit.page((c, ctx) => {
      const cursor = c.req.query("cursor") ?? null;
      const page = service.list({ limit: DEPLOYMENTS_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      return DeploymentsPage({
        ctx,
        rows: page.items.map((deployment) => deploymentRow(engine, deployment, ctx.now)),
        nextCursor: page.nextCursor,
        paged: cursor !== null,
      });
    }),
  );

  pages.get(
    "/deployments/:ref",
    kit.page((c, ctx) => {
      const ref = c.req.param("ref") ?? "";
      const deployment = service.find(ref);
      if (!deployment) return kit.notFound(c, ctx, `Deployment "${ref}" does not exist`);
      const index = indexField(c.req.query("schedule"));
      const editing = index === null ? undefined : deployment.schedules[index];
      return view(c, ctx, deployment, {
        draft: editing ? draftOf(editing, index!) : NEW_SCHEDULE,
        flash: kit.flashes.take(c.req.query("flash") ?? null),
      });
    }),
  );

  pages.post(
    "/deployments/:ref/run",
    kit.form(async (c, form, ctx) => {
      const deployment = service.get(c.req.param("ref") ?? "");
      const key = runKeyOf(form);
      const again = (quickRun: QuickRunDraft) =>
        sendPage(
          c,
          view(c, ctx, deployment, { quickRun, ...(key !== undefined ? { runKey: key } : {}) }),
          400,
        );
      const request = readQuickRun(deployment, form);
      if (!request.ok) return again(request.draft);
      try {
        const { run, created } = await triggerDeploymentRun(engine, deployment, {
          ...request.options,
          ...(key !== undefined ? { idempotencyKey: key } : {}),
        });
        const message = created
          ? `Run created from deployment "${deployment.name}".`
          : "This form was already submitted: here is the run it created.";
        return c.redirect(
          runHref(run.id, undefined, { flash: kit.flashes.put(true, message) }),
          303,
        );
      } catch (error) {
        if (!(error instanceof DeploymentError)) throw error;
        return again(failedDraft(deployment, form, error));
      }
    }),
  );

  for (const [action, paused] of [["pause", true], ["resume", false]] as const) {
    pages.post(
      `/deployments/:ref/${action}`,
      kit.form(async (c) => {
        const deployment = await service.setPaused(c.req.param("ref") ?? "", paused);
        return back(
          c,
          deployment,
          true,
          paused
            ? "Paused: schedules create no runs and future scheduled runs were cancelled. " +
              "Manual runs still work."
            : "Resumed: active schedules create runs again.",
        );
      }),
    );
  }

  pages.post(
    "/deployments/:ref/settings",
    kit.form(async (c, form, ctx) => {
      const deployment = service.get(c.req.param("ref") ?? "");
      const refused = (settings: DeploymentSettingsDraft) =>
        sendPage(c, view(c, ctx, deployment, { settings }), 400);
      const request = readSettings(deployment, form, poolChoices(deployment));
      if (!request.ok) return refused(request.draft);
      try {
        await service.update(deployment.id, request.patch);
      } catch (error) {
        if (!(error instanceof DeploymentError)) throw error;
        return refused(refusedSettings(deployment, form, error));
      }
      return back(c, deployment, true, "Settings saved.", "#settings");
    }),
  );

  pages.post(
    "/deployments/:ref/schedules",
    kit.form(async (c, form, ctx) => {
      const deployment = service.get(c.req.param("ref") ?? "");
      const intent = field(form, "intent") || "preview";
      const index = indexField(form["index"]);
      const target = index === null ? undefined : deployment.schedules[index];
      const matches = target !== undefined && scheduleKey(target) === field(form, "key");
      const save = async (schedules: Schedule[], message: string) => {
        await service.update(deployment.id, { schedules });
        return back(c, deployment, true, message, "#schedules");
      };

      if (intent === "toggle" || intent === "remove") {
        if (!matches) return back(c, deployment, false, STALE_SCHEDULE, "#schedules");
        const schedules = [...deployment.schedules];
        if (intent === "remove") {
          schedules.splice(index!, 1);
          return await save(schedules, `Schedule ${index! + 1} removed.`);
        }
        schedules[index!] = { ...target!, active: !target!.active };
        return await save(
          schedules,
          target!.active
            ? `Schedule ${index! + 1} turned off: its future scheduled runs were cancelled.`
            : `Schedule ${index! + 1} turned on.`,
        );
      }

      const draft = parseScheduleForm(form);
      const again = (preview: SchedulePreview, status: 200 | 400 | 409) =>
        sendPage(c, view(c, ctx, deployment, { draft, preview }), status);
      if (intent !== "save") {
        const preview = previewOf(draft, ctx.now);
        return again(preview, preview.error === null ? 200 : 400);
      }
      if (draft.index !== null && !matches) return again({ next: [], error: STALE_SCHEDULE }, 409);
      let schedule: Schedule;
      try {
        schedule = scheduleFromDraft(draft);
      } catch (error) {
        if (!(error instanceof DeploymentError)) throw error;
        return again({ next: [], error: error.message }, 400);
      }
      const schedules = [...deployment.schedules];
      if (draft.index === null) schedules.push(schedule);
      // The editor has no fields for a schedule's slug and parameters: editing keeps them.
      else {
        schedules[draft.index] = {
          ...schedule,
          ...(target?.slug ? { slug: target.slug } : {}),
          ...(target?.parameters ? { parameters: target.parameters } : {}),
        };
      }
      try {
        return await save(
          schedules,
          draft.index === null
            ? `Schedule ${schedules.length} added.`
            : `Schedule ${draft.index + 1} saved.`,
        );
      } catch (error) {
        if (!(error instanceof DeploymentError)) throw error;
        return again({ next: [], error: error.message }, 400);
      }
    }),
  );

  workPoolPages(pages, kit, service);
}
