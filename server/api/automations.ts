/**
 * Automations over HTTP: create, apply by name, list with their last
 * firings, pause, resume, delete.
 *
 * @module
 */
import { z } from "zod";
import {
  type Automation,
  automationProblems,
  deleteAutomation,
  findAutomation,
  type FiringRecord,
  listAutomations,
  listFirings,
  putAutomation,
} from "../../engine/automations/mod.ts";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import {
  ConflictError,
  type Engine,
  InvalidArgumentError,
  NotFoundError,
  uuidv7,
} from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import {
  AutomationBody,
  AutomationSchema,
  FiringSchema,
  fromApiAction,
  fromApiTrigger,
  toApiAutomation,
  toApiFiring,
} from "../../wire/automations.ts";
import { pageOf } from "../../wire/schemas.ts";
import type { ApiRouter } from "./router.ts";

const TAG = "Automations";
const REF = { ref: "Automation id or name" };
const LAST_FIRINGS = 5;

/** The automation with this id or name; throws `automation_not_found`. */
export function automationOf(engine: Engine, ref: string): Automation {
  const automation = findAutomation(engine.reader, ref);
  if (!automation) {
    throw new NotFoundError(`Automation "${ref}" does not exist`, {
      code: "automation_not_found",
    });
  }
  return automation;
}

/** Newest firings of an automation, newest first. */
export function lastFirings(engine: Engine, id: string, count = LAST_FIRINGS): FiringRecord[] {
  return listFirings(engine.reader, id).slice(-count).reverse();
}

/**
 * Creates an automation from a request body, or replaces the one of the same
 * name when `replace`; refuses bad settings with `invalid_automation`.
 */
export async function saveAutomation(
  engine: Engine,
  body: AutomationBody,
  options: { replace: boolean; now: number },
): Promise<{ automation: Automation; created: boolean }> {
  const deployments = new DeploymentService(engine);
  const trigger = fromApiTrigger(body.trigger, (ref) => deployments.get(ref).id);
  const actions = body.actions.map(fromApiAction);
  const problems = automationProblems({ name: body.name, trigger, actions });
  for (const [i, action] of actions.entries()) {
    if (action.type === "run-deployment" || action.type.endsWith("-deployment")) {
      const ref = (action as { deployment: string }).deployment;
      if (!deployments.find(ref)) {
        problems.push(`actions[${i}]: deployment "${ref}" does not exist`);
      }
    }
  }
  if (problems.length > 0) {
    throw new InvalidArgumentError(`Invalid automation: ${problems.join("; ")}`, {
      code: "invalid_automation",
    });
  }
  return await engine.transact((tx) => {
    const before = findAutomation(tx, body.name);
    if (before && !options.replace) {
      throw new ConflictError(`Automation "${body.name}" already exists`, {
        code: "automation_exists",
      });
    }
    const automation: Automation = {
      id: before?.id ?? uuidv7(options.now),
      name: body.name,
      description: body.description ?? "",
      enabled: body.enabled ?? true,
      trigger,
      actions,
      createdAt: before?.createdAt ?? options.now,
      updatedAt: options.now,
    };
    putAutomation(tx, automation, options.now);
    return { automation, created: !before };
  });
}

/** Pauses or resumes an automation. */
export async function setAutomationEnabled(
  engine: Engine,
  ref: string,
  enabled: boolean,
  now: number,
): Promise<Automation> {
  return await engine.transact((tx) => {
    const before = findAutomation(tx, ref);
    if (!before) {
      throw new NotFoundError(`Automation "${ref}" does not exist`, {
        code: "automation_not_found",
      });
    }
    const automation = { ...before, enabled, updatedAt: now };
    putAutomation(tx, automation, now);
    return automation;
  });
}

/** Registers the automation routes. */
export function automationRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine, clock } = deps;
  const answer = (automation: Automation) =>
    toApiAutomation(automation, lastFirings(engine, automation.id));

  router.add({
    method: "get",
    path: "/automations",
    tag: TAG,
    summary: "List automations with their last firings",
    response: pageOf(AutomationSchema),
  }, (c) => c.json({ items: listAutomations(engine.reader).map(answer), next_cursor: null }));

  router.add({
    method: "post",
    path: "/automations",
    tag: TAG,
    summary: "Create an automation",
    description: "Templates in actions read `{{ event.… }}` (the triggering event), " +
      "`{{ automation.name }}` and `{{ firing.… }}`.",
    body: AutomationBody,
    status: 201,
    response: AutomationSchema,
  }, async (c, { body }) => {
    const { automation } = await saveAutomation(engine, body, { replace: false, now: clock.now() });
    return c.json(answer(automation), 201);
  });

  router.add({
    method: "put",
    path: "/automations/apply",
    tag: TAG,
    summary: "Create an automation or replace the one of the same name",
    body: AutomationBody,
    response: AutomationSchema,
  }, async (c, { body }) => {
    const saved = await saveAutomation(engine, body, { replace: true, now: clock.now() });
    return c.json(answer(saved.automation), saved.created ? 201 : 200);
  });

  router.add({
    method: "get",
    path: "/automations/:ref",
    tag: TAG,
    summary: "Read an automation",
    params: REF,
    response: AutomationSchema,
  }, (c, { params }) => c.json(answer(automationOf(engine, params.ref!))));

  router.add({
    method: "get",
    path: "/automations/:ref/firings",
    tag: TAG,
    summary: "List an automation's firings with their actions' results, newest first",
    params: REF,
    response: pageOf(FiringSchema),
  }, (c, { params }) => {
    const automation = automationOf(engine, params.ref!);
    const items = lastFirings(engine, automation.id, 1000).map(toApiFiring);
    return c.json({ items, next_cursor: null });
  });

  for (const [verb, enabled] of [["pause", false], ["resume", true]] as const) {
    router.add(
      {
        method: "post",
        path: `/automations/:ref/${verb}`,
        tag: TAG,
        summary: enabled
          ? "Resume an automation (it counts events from now on)"
          : "Pause an automation",
        params: REF,
        bodyOptional: true,
        body: z.strictObject({}),
        response: AutomationSchema,
      },
      async (c, { params }) =>
        c.json(answer(await setAutomationEnabled(engine, params.ref!, enabled, clock.now()))),
    );
  }

  router.add({
    method: "delete",
    path: "/automations/:ref",
    tag: TAG,
    summary: "Delete an automation (its firings stay in the event log)",
    params: REF,
    response: z.object({ id: z.string(), name: z.string() }),
  }, async (c, { params }) => {
    const automation = automationOf(engine, params.ref!);
    await engine.transact((tx) => deleteAutomation(tx, automation.id));
    return c.json({ id: automation.id, name: automation.name });
  });
}
