import type { QuickRunDraft } from "../types.ts";
import type { SchemaField } from "../schema_form.ts";
import { SchemaFields } from "./schema_fields.tsx";

/** Props of {@linkcode QuickRunForm}. */
export interface QuickRunFormProps {
  /** URL the form posts to. */
  action: string;
  csrf: string;
  draft: QuickRunDraft;
  /** A key that makes a second submission of this same form return the first run. */
  idempotencyKey: string;
  /** Fields from the deployment's parameter schema; none means JSON only. */
  fields?: readonly SchemaField[];
}

/**
 * Run a deployment now: a field per parameter of its schema (JSON text as
 * the fallback, and for a deployment without a schema), a start time and
 * tags. Errors come back on the page, each next to its field.
 */
export function QuickRunForm(
  { action, csrf, draft, idempotencyKey, fields = [] }: QuickRunFormProps,
) {
  const byFields = fields.length > 0;
  const json = draft.mode === "json" || !byFields;
  const extras = (
    <div class="fields">
      <label>
        <span>Start at (UTC; empty: now)</span>
        <input type="datetime-local" name="start" value={draft.start ?? ""} step={1} />
      </label>
      <label class="grow">
        <span>Tags (comma-separated, added to the deployment's)</span>
        <input type="text" name="tags" value={draft.tags ?? ""} />
      </label>
    </div>
  );
  const hidden = (mode: "fields" | "json") => (
    <>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="idempotency_key" value={idempotencyKey} />
      <input type="hidden" name="mode" value={mode} />
    </>
  );
  const error = draft.error !== null && <p class="s-FAILED" role="alert">{draft.error}</p>;
  const jsonForm = (
    <form method="post" action={action} class="editor" id={byFields ? "run-json" : "run"}>
      {hidden("json")}
      <label class="block">
        <span>Parameters (JSON object; merged over the defaults)</span>
        <textarea
          name="parameters"
          rows={Math.min(12, Math.max(3, draft.parameters.split("\n").length + 1))}
          spellcheck={false}
          aria-invalid={json && draft.error !== null ? "true" : undefined}
        >
          {draft.parameters}
        </textarea>
      </label>
      {extras}
      {json && error}
      <div class="actions">
        <button type="submit">Run now</button>
      </div>
    </form>
  );
  if (!byFields) return jsonForm;
  return (
    <>
      <form method="post" action={action} class="editor" id="run">
        {hidden("fields")}
        <SchemaFields
          fields={fields}
          values={draft.fields ?? {}}
          errors={draft.fieldErrors ?? {}}
          idPrefix="param"
        />
        {extras}
        {!json && error}
        <div class="actions">
          <button type="submit">Run now</button>
        </div>
      </form>
      <details open={json}>
        <summary>Parameters as JSON</summary>
        {jsonForm}
      </details>
    </>
  );
}
