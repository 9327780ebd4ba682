/**
 * The deployment page's quick run: from the posted form (the schema's fields
 * or the JSON text, a start time, tags) to the options of
 * `triggerDeploymentRun`, which checks the parameters with the API's own
 * validator. A problem comes back as a draft that shows it next to its field.
 *
 * @module
 */
import type { Json } from "../../engine/mod.ts";
import {
  type Deployment,
  DeploymentError,
  type DeploymentRunOptions,
} from "../../engine/deployments/mod.ts";
import {
  fieldTexts,
  postedTexts,
  problemsByField,
  type QuickRunDraft,
  type SchemaField,
  schemaFields,
  valuesFromForm,
} from "../../ui/mod.ts";
import { defaultParametersText, parseParameters } from "./deployments_data.ts";

type Form = Readonly<Record<string, unknown>>;

// Fields only when the fields form says so: a post of JSON text (from the JSON
// form, or a script) is read as JSON, never half-ignored.
function byFields(deployment: Deployment, form: Form): boolean {
  return text(form, "mode") === "fields" && quickRunFields(deployment).length > 0;
}

function text(form: Form, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

/** The fields of a deployment's parameter schema (none without one). */
export function quickRunFields(deployment: Deployment): SchemaField[] {
  return schemaFields(deployment.parameterSchema);
}

/** The form as first shown: the deployment's defaults in every field. */
export function freshDraft(deployment: Deployment): QuickRunDraft {
  return {
    parameters: defaultParametersText(deployment),
    error: null,
    fields: fieldTexts(quickRunFields(deployment), deployment.parameters),
  };
}

/** The posted form as a draft to show again, with `error` and the problems of its fields. */
function draftOf(
  deployment: Deployment,
  form: Form,
  error: string,
  fieldErrors: Record<string, string> = {},
): QuickRunDraft {
  const json = !byFields(deployment, form);
  const fields = quickRunFields(deployment);
  return {
    mode: json ? "json" : "fields",
    parameters: json ? text(form, "parameters") : defaultParametersText(deployment),
    error,
    fields: json ? fieldTexts(fields, deployment.parameters) : postedTexts(fields, form),
    fieldErrors,
    start: text(form, "start"),
    tags: text(form, "tags"),
  };
}

// `datetime-local` text, read as UTC (a page without script cannot know the reader's zone).
function startOf(raw: string): number | undefined {
  if (raw.trim() === "") return undefined;
  const ms = Date.parse(`${raw.trim()}Z`);
  if (Number.isNaN(ms)) {
    throw new DeploymentError(`Start time "${raw}" is not a date and time`, ["start"], {
      code: "invalid_parameters",
    });
  }
  return ms;
}

/** What a posted quick run asks for: run options, or the draft that explains why not. */
export type QuickRunRequest =
  | { ok: true; options: DeploymentRunOptions }
  | { ok: false; draft: QuickRunDraft };

/** Reads a posted quick run; the parameters are judged later, by `triggerDeploymentRun`. */
export function readQuickRun(deployment: Deployment, form: Form): QuickRunRequest {
  try {
    let parameters: { [name: string]: Json };
    if (!byFields(deployment, form)) {
      parameters = parseParameters(text(form, "parameters"));
    } else {
      const { value, problems } = valuesFromForm(deployment.parameterSchema, form);
      if (problems.size > 0) {
        return {
          ok: false,
          draft: draftOf(
            deployment,
            form,
            "Some fields are not valid: see below each field.",
            Object.fromEntries(problems),
          ),
        };
      }
      parameters = value;
    }
    const start = startOf(text(form, "start"));
    const tags = text(form, "tags").split(",").map((t) => t.trim()).filter((t) => t !== "");
    return {
      ok: true,
      options: {
        parameters,
        ...(start !== undefined ? { expectedStartTime: start } : {}),
        ...(tags.length > 0 ? { tags } : {}),
      },
    };
  } catch (error) {
    if (!(error instanceof DeploymentError)) throw error;
    return { ok: false, draft: failedDraft(deployment, form, error) };
  }
}

/** The draft after `triggerDeploymentRun` refused the run: each problem next to its field. */
export function failedDraft(deployment: Deployment, form: Form, error: DeploymentError) {
  if (!byFields(deployment, form)) return draftOf(deployment, form, error.message);
  const { byField, general } = problemsByField(quickRunFields(deployment), error.problems);
  const message = general.length > 0
    ? general.join("; ")
    : byField.size > 0
    ? "Some fields are not valid: see below each field."
    : error.message;
  return draftOf(deployment, form, message, Object.fromEntries(byField));
}
