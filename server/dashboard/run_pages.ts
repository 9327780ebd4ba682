/**
 * The run page and its operator forms: cancel, pause, resume (with the input
 * the pause asks for) and retry, each through the engine's run actions. A
 * refused resume input comes back in its form with the problems by field.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import {
  cancelFlowRun,
  type Engine,
  InvalidArgumentError,
  InvalidInputError,
  type Json,
  pauseFlowRun,
  type PauseMode,
  pauseRequestOf,
  resumeFlowRun,
  retryFlowRun,
  type RunRecord,
} from "../../engine/mod.ts";
import type { DeploymentService } from "../../engine/deployments/mod.ts";
import {
  type PageContext,
  postedTexts,
  problemsByField,
  type ResumeDraft,
  runHref,
  RunPage,
  schemaFields,
  TaskRunPage,
  valuesFromForm,
} from "../../ui/mod.ts";
import { describeError } from "../errors.ts";
import type { PageKit } from "./kit.ts";
import { sendPage } from "./render.ts";
import { runPageData } from "./run_data.ts";
import { taskRunPageData } from "./task_run_data.ts";

/** Registers `GET /runs/:id` and `POST /runs/:id/{cancel,pause,resume,retry}`. */
export function runPages(pages: Hono, kit: PageKit, deployments: DeploymentService): void {
  const { engine } = kit.deps;
  const { flashes, page, notFound } = kit;
  pages.get(
    "/runs/:id",
    page((c, ctx) => {
      const id = c.req.param("id") ?? "";
      const run = engine.getRun(id);
      if (!run) return notFound(c, ctx, `Flow run "${id}" does not exist`);
      // A task run called outside a flow (or a background one) is its own root: the run page
      // shows it; a task run of a flow run has a page of its own.
      if (run.kind === "task" && run.parentId !== null) {
        return TaskRunPage({ ctx, ...taskRunPageData(engine, run) });
      }
      return runPage(c, ctx, run);
    }),
  );
  // The run page; after a refused resume, with its form filled in again and the problems.
  const runPage = (
    c: Context,
    ctx: PageContext,
    run: RunRecord,
    refused?: { draft: ResumeDraft; message: string },
  ) => {
    const params = new URL(c.req.url).searchParams;
    const flash = refused
      ? { ok: false, message: refused.message }
      : flashes.take(params.get("flash"));
    const deploymentName = run.deploymentId === null
      ? null
      : deployments.find(run.deploymentId)?.name ?? null;
    const data = runPageData(engine, run, params, ctx.now);
    params.delete("flash");
    return RunPage({
      ctx,
      flash,
      deploymentName,
      query: params.toString(),
      ...data,
      ...(refused ? { resumeDraft: refused.draft } : {}),
    });
  };
  pages.post(
    "/runs/:id/:action",
    kit.form(async (c, form, ctx) => {
      const id = c.req.param("id") ?? "";
      const action = c.req.param("action") ?? "";
      let target = id;
      try {
        let message: string;
        switch (action) {
          case "cancel":
            await cancelFlowRun(engine, id, { reason: "Cancelled from the dashboard" });
            message = "Cancellation requested.";
            break;
          case "pause": {
            const mode: PauseMode = form["mode"] === "terminate" ? "terminate" : "drain";
            await pauseFlowRun(engine, id, { mode });
            message = `Paused (${mode}).`;
            break;
          }
          case "resume":
            await resumeFlowRun(engine, id, resumeInputOf(engine, id, form));
            message = "Resumed.";
            break;
          case "retry": {
            const attempt: RunRecord = await retryFlowRun(engine, id);
            target = attempt.id;
            message = `Retry scheduled as attempt ${attempt.attempt}.`;
            break;
          }
          default:
            throw new InvalidArgumentError(`Unknown action "${action}"`);
        }
        return c.redirect(runHref(target, undefined, { flash: flashes.put(true, message) }), 303);
      } catch (error) {
        const run = engine.getRun(id);
        if (action === "resume" && error instanceof InvalidInputError && run) {
          return sendPage(
            c,
            runPage(c, ctx, run, {
              draft: resumeDraftOf(engine, run, form, error),
              message: error.message,
            }),
            400,
          );
        }
        const { status, body } = describeError(error);
        // The form wrapper answers these with the error page.
        if (status >= 500 || status === 404) throw error;
        return c.redirect(
          runHref(id, undefined, { flash: flashes.put(false, body.error.message) }),
          303,
        );
      }
    }),
  );
}

/** A refused resume as its form shows it again: what was posted, the problems by field. */
function resumeDraftOf(
  engine: Engine,
  run: RunRecord,
  form: Record<string, unknown>,
  error: InvalidInputError,
): ResumeDraft {
  if (form["mode"] === "fields") {
    const fields = schemaFields(pauseRequestOf(engine, run)?.inputSchema ?? null);
    const { byField, general } = problemsByField(fields, error.problems);
    return {
      mode: "fields",
      values: postedTexts(fields, form),
      errors: Object.fromEntries(byField),
      general,
    };
  }
  const text = typeof form["input"] === "string" ? form["input"] : "";
  return { mode: "json", values: { input: text }, errors: {}, general: [...error.problems] };
}

// The resume form's input: its schema fields, JSON text, or nothing for a
// run that waits for none. resumeFlowRun judges it against the pause's schema.
function resumeInputOf(
  engine: Engine,
  id: string,
  form: Record<string, unknown>,
): { input?: Json } {
  if (form["mode"] === "fields") {
    const run = engine.getRun(id);
    const schema = run ? pauseRequestOf(engine, run)?.inputSchema ?? null : null;
    const { value, problems } = valuesFromForm(schema, form);
    if (problems.size > 0) {
      const lines = [...problems].map(([path, problem]) => `${path}: ${problem}`);
      throw new InvalidInputError(`Input is not valid: ${lines.join("; ")}`, lines);
    }
    return { input: value };
  }
  const field = form["input"];
  if (typeof field !== "string" || field.trim() === "") return {};
  try {
    return { input: JSON.parse(field) as Json };
  } catch (error) {
    throw new InvalidInputError(`Input is not valid JSON: ${(error as Error).message}`, [
      `input: ${(error as Error).message}`,
    ]);
  }
}
