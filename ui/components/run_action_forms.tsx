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
}

/** Cancel, pause, resume and retry as plain HTML forms (they work without JavaScript). */
export function RunActionForms({ run, offered, csrf, pause = null }: RunActionFormsProps) {
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
      <ResumeForms key="resume" action={`${base}/resume`} csrf={csrf} pause={pause} />,
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
}

/**
 * Resume, with the input the pause waits for: a field per property of its
 * schema (and JSON text as the fallback), or a plain button.
 */
function ResumeForms({ action, csrf, pause }: ResumeFormsProps) {
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
  const jsonForm = (
    <form method="post" action={action} class="editor" data-resume="json">
      {token}
      <label for="resume-input">Input (JSON)</label>
      <textarea id="resume-input" name="input" rows={4} required></textarea>
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
          values={fieldTexts(fields, undefined)}
          errors={{}}
          idPrefix="input"
        />
        <button type="submit">Resume</button>
      </form>
      <details>
        <summary>Input as JSON</summary>
        {jsonForm}
      </details>
    </div>
  );
}
