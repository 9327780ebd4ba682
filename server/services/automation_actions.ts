/**
 * Runs the actions of automation firings: the I/O side of automations. Each
 * action's result is written back to its firing and recorded as an event
 * (`ironflow.automation.action.succeeded` / `.failed`). A deployment run is
 * created under an idempotency key of the firing and the action, so a pass
 * repeated after a crash never makes a second run; an HTTP notification
 * interrupted by a crash is sent again (at least once). Failed HTTP
 * notifications are retried on later passes with a growing delay.
 *
 * @module
 */
import {
  type Action,
  type ActionResult,
  findAutomation,
  type FiringRecord,
  listFirings,
  putFiring,
} from "../../engine/automations/mod.ts";
import {
  DeploymentService,
  triggerDeploymentRun,
  updateWorkPool,
} from "../../engine/deployments/mod.ts";
import {
  appendEvents,
  type IronEvent,
  newEventProblems,
  renderTemplate,
  type TemplateSources,
} from "../../engine/events/mod.ts";
import {
  cancelFlowRun,
  type Engine,
  type Json,
  pauseFlowRun,
  resumeFlowRun,
} from "../../engine/mod.ts";
import { toApiEvent } from "../../wire/events.ts";
import { resolveVariableTemplate, VariableService } from "../../engine/variables/mod.ts";
import { type SecretCipher, SecretService } from "../../engine/secrets/mod.ts";

/** Options of {@linkcode runFiringActions}. */
export interface ActionRunOptions {
  now: number;
  /** Sends HTTP notifications. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** How long one HTTP notification may take. @default 10_000 */
  httpTimeoutMs?: number;
  /**
   * The cipher of `IRONFLOW_SECRET_KEY`, to reveal the secrets that HTTP
   * notification headers name (`{{ secrets.name }}`). @default none: such
   * a notification fails without being sent
   */
  secretCipher?: SecretCipher;
}

/** Runs the due actions of every unfinished firing; returns the firings it changed. */
export async function runFiringActions(
  engine: Engine,
  options: ActionRunOptions,
): Promise<FiringRecord[]> {
  const changed: FiringRecord[] = [];
  for (const firing of listFirings(engine.reader).filter((f) => !f.done)) {
    const automation = findAutomation(engine.reader, firing.automationId);
    const next: FiringRecord = { ...firing, actions: [...firing.actions] };
    const outcomes: { index: number; action: Action; result: ActionResult }[] = [];
    for (const [index, result] of firing.actions.entries()) {
      const action = automation?.actions[index];
      if (result.status !== "pending" || result.nextAttemptAt > options.now) continue;
      const outcome = action
        ? await attempt(engine, firing, action, index, options)
        : { ok: false, message: "The automation or this action was deleted", final: true };
      const attempts = result.attempts + 1;
      const retries = action?.type === "http" ? action.retries ?? 3 : 0;
      const finished = outcome.ok || outcome.final || attempts > retries;
      next.actions[index] = {
        status: outcome.ok ? "succeeded" : finished ? "failed" : "pending",
        attempts,
        nextAttemptAt: options.now + Math.min(60_000, 1000 * 2 ** (attempts - 1)),
        ...(outcome.message !== undefined ? { message: outcome.message } : {}),
        ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}),
      };
      if (finished && action) outcomes.push({ index, action, result: next.actions[index]! });
    }
    next.done = next.actions.every((a) => a.status !== "pending");
    if (JSON.stringify(next) === JSON.stringify(firing)) continue;
    await engine.transact((tx) => {
      putFiring(tx, next, options.now);
      appendEvents(
        tx,
        outcomes.map(({ index, action, result }) => ({
          event: `ironflow.automation.action.${result.status}`,
          resource: `ironflow.automation.${firing.automationId}`,
          related: [],
          payload: {
            firing_id: firing.id,
            automation: firing.automationName,
            action_index: index,
            action_type: action.type,
            attempts: result.attempts,
            ...(result.message !== undefined ? { message: result.message } : {}),
            ...(result.detail !== undefined ? { detail: result.detail } : {}),
          },
        })),
        { now: options.now },
      );
    });
    changed.push(next);
  }
  return changed;
}

interface Outcome {
  ok: boolean;
  message?: string;
  detail?: Json;
  /** Retrying cannot help. */
  final?: boolean;
}

/**
 * The template sources of a firing's actions: the triggering event, the
 * automation, the firing and, when the event is about a flow run (its
 * resource or a related one), that run and its deployment as they are now.
 */
export function firingSources(engine: Engine, firing: FiringRecord): TemplateSources {
  const event = firing.event as unknown as IronEvent | null;
  const runId = triggeringFlowRun(firing);
  const run = runId ? engine.getRun(runId) : undefined;
  const deployment = run?.deploymentId
    ? new DeploymentService(engine).find(run.deploymentId)
    : undefined;
  return {
    event: event ? toApiEvent(event) as unknown as Json : null,
    automation: { id: firing.automationId, name: firing.automationName },
    firing: {
      id: firing.id,
      at: new Date(firing.at).toISOString(),
      count: firing.count,
      group: firing.group,
    },
    flow_run: run
      ? {
        id: run.id,
        name: run.runName,
        flow_name: run.flowName,
        state: run.state,
        state_name: run.stateName,
        message: run.message,
        parameters: run.parameters,
        tags: [...run.tags],
        attempt: run.attempt,
      }
      : null,
    deployment: deployment ? { id: deployment.id, name: deployment.name } : null,
  };
}

async function attempt(
  engine: Engine,
  firing: FiringRecord,
  action: Action,
  index: number,
  options: ActionRunOptions,
): Promise<Outcome> {
  try {
    return await perform(engine, firing, action, index, options);
  } catch (error) {
    return {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      final: action.type !== "http",
    };
  }
}

async function perform(
  engine: Engine,
  firing: FiringRecord,
  action: Action,
  index: number,
  options: ActionRunOptions,
): Promise<Outcome> {
  const sources = firingSources(engine, firing);
  const variables = new VariableService({ engine, clock: engine.clock });
  const render = (template: Json, extra: TemplateSources = {}) =>
    renderTemplate(
      resolveVariableTemplate(template, (name) => variables.get(name)?.value),
      { ...sources, ...extra },
    );
  switch (action.type) {
    case "run-deployment": {
      const deployment = new DeploymentService(engine).get(action.deployment);
      const parameters = action.parameters === undefined ? undefined : render(action.parameters);
      const { run } = await triggerDeploymentRun(engine, deployment, {
        ...(parameters !== undefined ? { parameters: parameters as Record<string, Json> } : {}),
        idempotencyKey: `automation:${firing.id}:${index}`,
      });
      return { ok: true, detail: { flow_run_id: run.id } };
    }
    case "cancel-run":
    case "pause-run":
    case "resume-run": {
      const runId = triggeringFlowRun(firing);
      if (!runId) {
        return { ok: false, message: "The firing has no triggering flow run", final: true };
      }
      const reason = `Automation "${firing.automationName}"`;
      if (action.type === "cancel-run") await cancelFlowRun(engine, runId, { reason });
      else if (action.type === "pause-run") {
        await pauseFlowRun(engine, runId, { mode: "drain", reason });
      } else await resumeFlowRun(engine, runId);
      return { ok: true, detail: { flow_run_id: runId } };
    }
    case "pause-deployment":
    case "resume-deployment": {
      const deployment = await new DeploymentService(engine).setPaused(
        action.deployment,
        action.type === "pause-deployment",
      );
      return { ok: true, detail: { deployment_id: deployment.id } };
    }
    case "pause-work-pool":
    case "resume-work-pool": {
      await updateWorkPool(engine, action.workPool, { paused: action.type === "pause-work-pool" });
      return { ok: true, detail: { work_pool: action.workPool } };
    }
    case "emit-event": {
      const made = {
        event: String(render(action.event)),
        resource: String(render(action.resource)),
        payload: (action.payload === undefined ? {} : render(action.payload)) as Record<
          string,
          Json
        >,
        related: [{ id: `ironflow.automation.${firing.automationId}`, role: "automation" }],
      };
      const problems = newEventProblems(made);
      if (problems.length > 0) return { ok: false, message: problems.join("; "), final: true };
      const [event] = await engine.transact((tx) => appendEvents(tx, [made], { now: options.now }));
      return { ok: true, detail: { event_id: event!.id } };
    }
    case "http":
      return await notify(engine, action, render, options);
  }
}

async function notify(
  engine: Engine,
  action: Extract<Action, { type: "http" }>,
  render: (template: Json, extra?: TemplateSources) => Json,
  options: ActionRunOptions,
): Promise<Outcome> {
  const send = options.fetch ?? fetch;
  const method = (action.method ?? "POST").toUpperCase();
  const body = action.body === undefined ? undefined : JSON.stringify(render(action.body));
  const headers: Record<string, string> = {
    ...(body !== undefined ? { "content-type": "application/json" } : {}),
  };
  const secrets = await revealHeaderSecrets(engine, action.headers ?? {}, options);
  if ("problem" in secrets) return { ok: false, message: secrets.problem, final: true };
  for (const [name, value] of Object.entries(action.headers ?? {})) {
    headers[name] = String(render(value, { secrets: secrets.values }));
  }
  // A secret must not reach the action's recorded result, whatever the error says.
  const redact = (text: string) =>
    Object.values(secrets.values).reduce<string>(
      (out, secret) => out.replaceAll(secret, "[secret]"),
      text,
    );
  try {
    const response = await send(String(render(action.url)), {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(options.httpTimeoutMs ?? 10_000),
    });
    await response.body?.cancel();
    if (response.ok) return { ok: true, detail: { status: response.status } };
    return { ok: false, message: `HTTP ${response.status}`, detail: { status: response.status } };
  } catch (error) {
    return { ok: false, message: redact(error instanceof Error ? error.message : String(error)) };
  }
}

const SECRET_PLACEHOLDER = /\{\{\s*secrets\.([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * The secrets that `headers` name, revealed; or why they cannot be (an
 * unknown secret, no key): the notification is then not sent at all.
 */
async function revealHeaderSecrets(
  engine: Engine,
  headers: Record<string, string>,
  options: ActionRunOptions,
): Promise<{ values: Record<string, string> } | { problem: string }> {
  const wanted: Array<[header: string, secret: string]> = [];
  for (const [header, value] of Object.entries(headers)) {
    for (const match of value.matchAll(SECRET_PLACEHOLDER)) wanted.push([header, match[1]!]);
  }
  if (wanted.length === 0) return { values: {} };
  if (!options.secretCipher) {
    return {
      problem: `Header "${wanted[0]![0]}" reads secret "${
        wanted[0]![1]
      }" but IRONFLOW_SECRET_KEY is not set on the server: nothing was sent`,
    };
  }
  const service = new SecretService({ engine, clock: engine.clock, cipher: options.secretCipher });
  const values: Record<string, string> = {};
  for (const [header, secret] of wanted) {
    if (Object.hasOwn(values, secret)) continue;
    let value: string | undefined;
    try {
      value = await service.reveal(secret);
    } catch (error) {
      // A name secrets cannot have, or a key that does not open it: retrying cannot help.
      return {
        problem: `Secret "${secret}" (used in header "${header}") cannot be read: ${
          error instanceof Error ? error.message : String(error)
        }; nothing was sent`,
      };
    }
    if (value === undefined) {
      return {
        problem: `Secret "${secret}" (used in header "${header}") does not exist: nothing was sent`,
      };
    }
    values[secret] = value;
  }
  return { values };
}

function triggeringFlowRun(firing: FiringRecord): string | undefined {
  const event = firing.event as unknown as IronEvent | null;
  const ids = event ? [event.resource, ...event.related.map((r) => r.id)] : [];
  for (const id of ids) {
    const match = id.match(/^ironflow\.flow-run\.(.+)$/);
    if (match) return match[1];
  }
  return undefined;
}
