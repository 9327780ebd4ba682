import type { QuickRunDraft } from "../types.ts";

/** Props of {@linkcode QuickRunForm}. */
export interface QuickRunFormProps {
  /** URL the form posts to. */
  action: string;
  csrf: string;
  draft: QuickRunDraft;
  /** A key that makes a second submission of this same form return the first run. */
  idempotencyKey: string;
}

/** Run a deployment now with parameters as JSON; errors come back on the page. */
export function QuickRunForm({ action, csrf, draft, idempotencyKey }: QuickRunFormProps) {
  return (
    <form method="post" action={action} class="editor" id="run">
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="idempotency_key" value={idempotencyKey} />
      <label class="block">
        <span>Parameters (JSON object; merged over the defaults)</span>
        <textarea
          name="parameters"
          rows={Math.min(12, Math.max(3, draft.parameters.split("\n").length + 1))}
          spellcheck={false}
          aria-invalid={draft.error !== null ? "true" : undefined}
        >
          {draft.parameters}
        </textarea>
      </label>
      {draft.error !== null && <p class="s-FAILED" role="alert">{draft.error}</p>}
      <div class="actions">
        <button type="submit">Run now</button>
      </div>
    </form>
  );
}
