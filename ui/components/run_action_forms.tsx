import type { OfferedActions, PauseRequest, RunRecord } from "../../engine/mod.ts";
import { runHref } from "../links.ts";
import { fieldTexts, schemaFields } from "../schema_form.ts";
import { SchemaFields } from "./schema_fields.tsx";

/** Props of {@linkcode RunActionForms}. */
export interface RunActionFormsProps {
  run: RunRecord;
  /** The actions the engine takes on this run now (`offeredActions`); only these get a form. */
  offered: OfferedActions;
  csrf: string;
  /** What the run's pause asks of a resume; null when it is not PAUSED. */
  pause?: PauseRequest | null;
  /** A refused resume, shown again with its problems. */
  resumeDraft?: ResumeDraft | null;
}

/** A resume the engine refused: what was posted and why, by field. */
export interface ResumeDraft {
  /** `fields` when the schema's fields were posted, `json` for the JSON text. */
  mode: "fields" | "json";
  /** Posted text by field path (fields mode) or `input` (JSON mode). */
  values: Record<string, string>;
  /** A problem per field path (fields mode). */
  errors: Record<string, string>;
  /** Problems that belong to no field (JSON mode: all of them). */
  general: string[];
}

/** Cancel, pause, resume and retry as plain HTML forms (they work without JavaScript). */
export function RunActionForms(
  { run, offered, csrf, pause = null, resumeDraft = null }: RunActionFormsProps,
) {
  const base = runHref(run.id);
  const token = <input type="hidden" name="_csrf" value={csrf} />;
  const forms = [];
  if (offered.pause) {
    forms.push(
      <form key="pause" method="post" action={`${base}/pause`}>
        {token}
        <select name="mode" aria-label="Pause mode">
          <option value="drain">Drain: running tasks finish</option>
          <option value="terminate">Terminate: stop now</option>
        </select>
        <button type="submit" class="secondary">Pause</button>
      </form>,
    );
  }
  if (offered.resume) {
    forms.push(
      <ResumeForms
        key="resume"
        action={`${base}/resume`}
        csrf={csrf}
        pause={pause}
        draft={resumeDraft}
      />,
    );
  }
  if (offered.cancel) {
    forms.push(
      // A details step asks first, and works without JavaScript.
      <details key="cancel" class="confirm">
        <summary class="button danger">Cancel run…</summary>
        <form method="post" action={`${base}/cancel`}>
          {token}
          <span>Cancel this run? Its running tasks are stopped.</span>
          <button type="submit" class="danger">Yes, cancel the run</button>
        </form>
      </details>,
    );
  }
  if (offered.retry) {
    forms.push(
      <form key="retry" method="post" action={`${base}/retry`}>
        {token}
        <button type="submit">Retry as a new attempt</button>
      </form>,
    );
  }
  // Always rendered, so a live refresh can add or drop forms as the state moves.
  return (
    <div class="actions">
      {forms}
    </div>
  );
}

/** Props of {@linkcode ResumeForms}. */
interface ResumeFormsProps {
  action: string;
  csrf: string;
  pause: PauseRequest | null;
  draft: ResumeDraft | null;
}

/**
 * Resume, with the input the pause waits for: a field per property of its
 * schema (and JSON text as the fallback), or a plain button.
 */
function ResumeForms({ action, csrf, pause, draft }: ResumeFormsProps) {
  const token = <input type="hidden" name="_csrf" value={csrf} />;
  if (!pause?.waitsForInput) {
    return (
      <form method="post" action={action}>
        {token}
        <button type="submit">Resume</button>
      </form>
    );
  }
  const fields = schemaFields(pause.inputSchema);
  const problems = (lines: readonly string[]) =>
    lines.length > 0 && <p class="s-FAILED" role="alert">{lines.join("; ")}</p>;
  const jsonDraft = draft?.mode === "json" ? draft : null;
  const fieldsDraft = draft?.mode === "fields" ? draft : null;
  const jsonForm = (
    <form method="post" action={action} class="editor" data-resume="json">
      {token}
      <label for="resume-input">Input (JSON)</label>
      <textarea
        id="resume-input"
        name="input"
        rows={4}
        required
        aria-invalid={jsonDraft ? "true" : undefined}
      >
        {jsonDraft?.values["input"] ?? ""}
      </textarea>
      {problems(jsonDraft?.general ?? [])}
      {pause.inputSchema !== null && (
        <details>
          <summary>Input schema</summary>
          <pre>{JSON.stringify(pause.inputSchema, null, 2)}</pre>
        </details>
      )}
      <button type="submit">Resume</button>
    </form>
  );
  if (fields.length === 0) return jsonForm;
  return (
    <div class="editor">
      <form method="post" action={action} class="editor" data-resume="fields">
        {token}
        <input type="hidden" name="mode" value="fields" />
        <h3>Input the run waits for</h3>
        <SchemaFields
          fields={fields}
          values={fieldsDraft?.values ?? fieldTexts(fields, undefined)}
          errors={fieldsDraft?.errors ?? {}}
          idPrefix="input"
        />
        {problems(fieldsDraft?.general ?? [])}
        <button type="submit">Resume</button>
      </form>
      <details open={jsonDraft !== null || undefined}>
        <summary>Input as JSON</summary>
        {jsonForm}
      </details>
    </div>
  );
}
