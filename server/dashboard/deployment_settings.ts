/**
 * The deployment page's settings form: from the deployment to the texts the
 * form shows, and from a posted form to the patch `DeploymentService.update`
 * applies (the same validation as `PATCH /api/deployments/{ref}`). A problem
 * comes back as a draft that shows it under its field; nothing is saved.
 *
 * @module
 */
import type { Json } from "../../engine/mod.ts";
import {
  CollisionStrategy,
  type Deployment,
  type DeploymentError,
  type DeploymentPatch,
} from "../../engine/deployments/mod.ts";
import {
  type DeploymentSettingsDraft,
  fieldText,
  postedTexts,
  problemsByField,
  type SchemaField,
  schemaFields,
  valueAt,
  valuesFromForm,
} from "../../ui/mod.ts";
import { defaultParametersText } from "./deployments_data.ts";

type Form = Readonly<Record<string, unknown>>;

const NAMES = ["description", "tags", "work_pool", "concurrency_limit", "collision_strategy"];

function text(form: Form, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

/** The fields of the deployment's parameter schema (none without one). */
export function settingsFields(deployment: Deployment): SchemaField[] {
  return schemaFields(deployment.parameterSchema);
}

// The stored defaults only: a schema default shown here would become a stored one on save.
function storedTexts(fields: readonly SchemaField[], values: Json): Record<string, string> {
  const texts: Record<string, string> = {};
  const walk = (fs: readonly SchemaField[]) => {
    for (const f of fs) {
      if (f.kind === "group") walk(f.fields);
      else texts[f.path] = fieldText(f.kind, valueAt(values, f.path));
    }
  };
  walk(fields);
  return texts;
}

/** The form as first shown: the deployment's settings. */
export function settingsDraft(deployment: Deployment): DeploymentSettingsDraft {
  return {
    form: {
      values: {
        description: deployment.description ?? "",
        tags: deployment.tags.join(", "),
        work_pool: deployment.workPool,
        concurrency_limit: deployment.concurrencyLimit === null
          ? ""
          : String(deployment.concurrencyLimit),
        collision_strategy: deployment.collisionStrategy,
        paused: deployment.paused ? "on" : "",
        timeout_seconds: deployment.timeoutSeconds === null
          ? ""
          : String(deployment.timeoutSeconds),
        parameters: defaultParametersText(deployment),
      },
      errors: {},
    },
    params: storedTexts(settingsFields(deployment), deployment.parameters),
    paramErrors: {},
  };
}

function postedDraft(
  deployment: Deployment,
  form: Form,
  errors: Record<string, string>,
  paramErrors: Record<string, string> = {},
  error: string | null = null,
): DeploymentSettingsDraft {
  const values: Record<string, string> = {};
  for (const name of [...NAMES, "timeout_seconds", "parameters"]) values[name] = text(form, name);
  values["paused"] = text(form, "paused") === "" ? "" : "on";
  return {
    form: { values, errors, error },
    params: postedTexts(settingsFields(deployment), form),
    paramErrors,
  };
}

/** What a posted settings form asks for: a patch, or the draft that says why not. */
export type SettingsRequest =
  | { ok: true; patch: DeploymentPatch }
  | { ok: false; draft: DeploymentSettingsDraft };

/** Reads a posted settings form; the engine judges the patch again when it is applied. */
export function readSettings(
  deployment: Deployment,
  form: Form,
  workPools: readonly string[],
): SettingsRequest {
  const errors: Record<string, string> = {};
  const optionalNumber = (name: string, whole: boolean, min: number, what: string) => {
    const raw = text(form, name).trim();
    if (raw === "") return null;
    const n = Number(raw);
    if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < min) {
      errors[name] = `${what}, got "${raw}"`;
      return null;
    }
    return n;
  };
  const concurrencyLimit = optionalNumber(
    "concurrency_limit",
    true,
    1,
    "Concurrency limit must be a whole number of 1 or more (empty: no limit)",
  );
  const timeoutSeconds = optionalNumber(
    "timeout_seconds",
    false,
    Number.MIN_VALUE,
    "Timeout must be a number of seconds above 0 (empty: none)",
  );
  const workPool = text(form, "work_pool").trim();
  if (!workPools.includes(workPool)) {
    errors["work_pool"] = `Work pool "${workPool}" does not exist`;
  }
  const strategy = text(form, "collision_strategy");
  if (!Object.values(CollisionStrategy).includes(strategy as CollisionStrategy)) {
    errors["collision_strategy"] =
      `Collision strategy must be ENQUEUE or CANCEL_NEW, got "${strategy}"`;
  }
  const tags = [
    ...new Set(text(form, "tags").split(",").map((t) => t.trim()).filter((t) => t !== "")),
  ];
  let parameters: { [name: string]: Json } = {};
  const paramErrors: Record<string, string> = {};
  if (text(form, "mode") === "fields" && settingsFields(deployment).length > 0) {
    const { value, problems } = valuesFromForm(deployment.parameterSchema, form);
    for (const [path, problem] of problems) paramErrors[path] = problem;
    parameters = value;
  } else {
    const raw = text(form, "parameters").trim();
    try {
      const parsed = raw === "" ? {} : JSON.parse(raw) as unknown;
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        errors["parameters"] =
          'Default parameters must be a JSON object, e.g. {"day": "2024-05-01"}';
      } else parameters = parsed as { [name: string]: Json };
    } catch (error) {
      errors["parameters"] = `Default parameters are not valid JSON: ${(error as Error).message}`;
    }
  }
  if (Object.keys(errors).length > 0 || Object.keys(paramErrors).length > 0) {
    return {
      ok: false,
      draft: postedDraft(
        deployment,
        form,
        errors,
        paramErrors,
        "Nothing was saved: see the problems under the fields.",
      ),
    };
  }
  const description = text(form, "description").trim();
  return {
    ok: true,
    patch: {
      description: description === "" ? null : description,
      tags,
      parameters,
      workPool,
      concurrencyLimit,
      collisionStrategy: strategy as CollisionStrategy,
      paused: text(form, "paused") !== "",
      timeoutSeconds,
    },
  };
}

// Which form field an engine problem line is about.
const FIELD_OF: ReadonlyArray<[RegExp, string]> = [
  [/^concurrency limit /, "concurrency_limit"],
  [/^collision strategy /, "collision_strategy"],
  [/^timeout /, "timeout_seconds"],
  [/^work pool /, "work_pool"],
  [/^parameters\b/, "parameters"],
];

/** The draft after the engine refused the patch: each problem under its field. */
export function refusedSettings(
  deployment: Deployment,
  form: Form,
  error: DeploymentError,
): DeploymentSettingsDraft {
  const errors: Record<string, string> = {};
  const paramLines: string[] = [];
  const general: string[] = [];
  const byFields = text(form, "mode") === "fields" && settingsFields(deployment).length > 0;
  for (const line of error.problems) {
    const field = FIELD_OF.find(([pattern]) => pattern.test(line))?.[1];
    if (field === "parameters" && byFields) paramLines.push(line.replace(/^parameters: /, ""));
    else if (field) errors[field] = errors[field] ? `${errors[field]}; ${line}` : line;
    else general.push(line);
  }
  const { byField, general: rest } = problemsByField(settingsFields(deployment), paramLines);
  general.push(...rest);
  return postedDraft(
    deployment,
    form,
    errors,
    Object.fromEntries(byField),
    general.length > 0
      ? `Nothing was saved: ${general.join("; ")}`
      : "Nothing was saved: see the problems under the fields.",
  );
}
