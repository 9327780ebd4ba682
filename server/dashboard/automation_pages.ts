/**
 * The automations pages: the list with each trigger, actions, state and last
 * firing; one page per automation with pause, resume, delete, its recent
 * firings and an edit form; both take the automation as YAML or JSON, the
 * shape `ironflow automation apply` reads, checked by the API's schema and
 * saved by the API's own `saveAutomation()` (nothing is saved on error).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import {
  type Action,
  type Automation,
  deleteAutomation,
  findAutomation,
  listAutomations,
  type Trigger,
} from "../../engine/automations/mod.ts";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import {
  AutomationPage,
  type AutomationRow,
  AutomationsPage,
  type PageContext,
} from "../../ui/mod.ts";
import { AutomationBody, toApiAction, toApiTrigger } from "../../wire/automations.ts";
import { lastFirings, saveAutomation, setAutomationEnabled } from "../api/automations.ts";
import { describeError } from "../errors.ts";
import type { PageKit } from "./kit.ts";
import { sendPage } from "./render.ts";

const LIST = "/automations";

/** The page of an automation. */
export function automationHref(name: string): string {
  return `${LIST}/${encodeURIComponent(name)}`;
}

/**
 * The request body of an automation typed as YAML or JSON, or what is wrong
 * with it (a sentence naming the field).
 */
export function automationBodyOf(text: string): { body: AutomationBody } | { error: string } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return { error: `The text is not YAML or JSON: ${(error as Error).message}` };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { error: "The text must be one automation: a mapping with name, trigger and actions" };
  }
  const parsed = AutomationBody.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message
    );
    return { error: `Invalid automation: ${problems.join("; ")}` };
  }
  return { body: parsed.data };
}

/** Registers the automation pages and their forms. */
export function automationPages(pages: Hono, kit: PageKit): void {
  const { engine, clock } = kit.deps;
  const deployments = new DeploymentService(engine);
  const summary = (automation: Automation): AutomationRow => ({
    name: automation.name,
    href: automationHref(automation.name),
    enabled: automation.enabled,
    trigger: triggerSummary(automation.trigger, (id) => deployments.find(id)?.name ?? id),
    actions: automation.actions.map(actionSummary).join("; "),
    lastFiredAt: lastFirings(engine, automation.id, 1)[0]?.at ?? null,
  });
  const asYaml = (automation: Automation): string => {
    const trigger = toApiTrigger(automation.trigger);
    if (trigger.type === "run-state" && trigger.deployment) {
      trigger.deployment = deployments.find(trigger.deployment)?.name ?? trigger.deployment;
    }
    return toYaml({
      name: automation.name,
      ...(automation.description ? { description: automation.description } : {}),
      enabled: automation.enabled,
      trigger,
      actions: automation.actions.map(toApiAction),
    });
  };
  const onePage = (
    c: Context,
    ctx: PageContext,
    automation: Automation,
    draft: { text: string; error: string | null } | null,
  ) =>
    AutomationPage({
      ctx,
      automation: {
        ...summary(automation),
        id: automation.id,
        description: automation.description,
        updatedAt: automation.updatedAt,
      },
      firings: lastFirings(engine, automation.id, 20),
      draft: draft ?? { text: asYaml(automation), error: null },
      flash: kit.flashes.take(c.req.query("flash") ?? null),
    });
  // Saves the posted text; on a refusal, answers null and the error to show.
  const save = async (text: string, replacing: Automation | null) => {
    const parsed = automationBodyOf(text);
    if ("error" in parsed) return { saved: null, error: parsed.error };
    if (replacing && parsed.body.name !== replacing.name) {
      return {
        saved: null,
        error:
          `The name "${parsed.body.name}" is not this automation's ("${replacing.name}"): create a new automation to use another name`,
      };
    }
    try {
      const { automation } = await saveAutomation(engine, parsed.body, {
        replace: replacing !== null,
        now: clock.now(),
      });
      return { saved: automation, error: null };
    } catch (error) {
      const { status, body } = describeError(error);
      if (status >= 500) throw error;
      return { saved: null, error: body.error.message };
    }
  };

  pages.get(
    LIST,
    kit.page((c, ctx) =>
      AutomationsPage({
        ctx,
        automations: listAutomations(engine.reader).map(summary),
        flash: kit.flashes.take(c.req.query("flash") ?? null),
      })
    ),
  );
  pages.post(
    LIST,
    kit.form(async (c, form, ctx) => {
      const text = typeof form["spec"] === "string" ? form["spec"] : "";
      const { saved, error } = await save(text, null);
      if (saved === null) {
        const page = AutomationsPage({
          ctx,
          automations: listAutomations(engine.reader).map(summary),
          draft: { text, error },
        });
        return sendPage(c, page, 400);
      }
      const flash = kit.flashes.put(true, `Automation "${saved.name}" created.`);
      return c.redirect(`${automationHref(saved.name)}?flash=${flash}`, 303);
    }),
  );

  pages.get(
    `${LIST}/:ref`,
    kit.page((c, ctx) => {
      const ref = c.req.param("ref") ?? "";
      const automation = findAutomation(engine.reader, ref);
      if (!automation) return kit.notFound(c, ctx, `Automation "${ref}" does not exist`);
      return onePage(c, ctx, automation, null);
    }),
  );
  pages.post(
    `${LIST}/:ref`,
    kit.form(async (c, form, ctx) => {
      const ref = c.req.param("ref") ?? "";
      const automation = findAutomation(engine.reader, ref);
      if (!automation) return kit.notFound(c, ctx, `Automation "${ref}" does not exist`);
      const text = typeof form["spec"] === "string" ? form["spec"] : "";
      const { saved, error } = await save(text, automation);
      if (saved === null) {
        return sendPage(c, onePage(c, ctx, automation, { text, error }), 400);
      }
      const flash = kit.flashes.put(true, `Automation "${saved.name}" saved.`);
      return c.redirect(`${automationHref(saved.name)}?flash=${flash}`, 303);
    }),
  );
  for (const [verb, enabled] of [["pause", false], ["resume", true]] as const) {
    pages.post(
      `${LIST}/:ref/${verb}`,
      kit.form(async (c, form, ctx) => {
        const ref = c.req.param("ref") ?? "";
        if (!findAutomation(engine.reader, ref)) {
          return kit.notFound(c, ctx, `Automation "${ref}" does not exist`);
        }
        const automation = await setAutomationEnabled(engine, ref, enabled, clock.now());
        const flash = kit.flashes.put(
          true,
          `Automation "${automation.name}" ${enabled ? "resumed" : "paused"}.`,
        );
        // The list's buttons come back to the list; the automation's page to itself.
        const back = form["next"] === LIST ? LIST : automationHref(automation.name);
        return c.redirect(`${back}?flash=${flash}`, 303);
      }),
    );
  }
  pages.post(
    `${LIST}/:ref/delete`,
    kit.form(async (c, _form, ctx) => {
      const ref = c.req.param("ref") ?? "";
      const automation = findAutomation(engine.reader, ref);
      if (!automation) return kit.notFound(c, ctx, `Automation "${ref}" does not exist`);
      await engine.transact((tx) => deleteAutomation(tx, automation.id));
      const flash = kit.flashes.put(true, `Automation "${automation.name}" deleted.`);
      return c.redirect(`${LIST}?flash=${flash}`, 303);
    }),
  );
}

/** A trigger in a line. */
export function triggerSummary(trigger: Trigger, deploymentName: (id: string) => string): string {
  if (trigger.type === "run-state") {
    const scope = [
      trigger.deploymentId ? `of deployment ${deploymentName(trigger.deploymentId)}` : "",
      trigger.flow ? `of flow ${trigger.flow}` : "",
    ].filter(Boolean).join(" ");
    const times = (trigger.threshold ?? 1) > 1 ? `${trigger.threshold} × ` : "";
    const within = trigger.withinSeconds ? ` within ${trigger.withinSeconds} s` : "";
    return `${times}a flow run ${scope ? `${scope} ` : ""}enters ${
      trigger.states.join(" or ")
    }${within}`;
  }
  const names = trigger.match.join(" or ");
  const on = trigger.resource?.length ? ` on ${trigger.resource.join(" or ")}` : "";
  const per = trigger.forEach ? `, per ${trigger.forEach}` : "";
  if (trigger.posture === "proactive") {
    return `fewer than ${trigger.threshold} × ${names}${on} within ${trigger.withinSeconds} s${per}`;
  }
  const within = trigger.withinSeconds > 0 ? ` within ${trigger.withinSeconds} s` : "";
  return `${trigger.threshold} × ${names}${on}${within}${per}`;
}

/** An action in a few words. */
export function actionSummary(action: Action): string {
  switch (action.type) {
    case "run-deployment":
    case "pause-deployment":
    case "resume-deployment":
      return `${action.type.replace("-", " ")} ${action.deployment}`;
    case "pause-work-pool":
    case "resume-work-pool":
      return `${action.type.split("-")[0]} work pool ${action.workPool}`;
    case "emit-event":
      return `emit ${action.event}`;
    case "http":
      return `${action.method ?? "POST"} ${action.url}`;
    default:
      return action.type.replace("-", " ");
  }
}
