import type { FormDraft } from "../types.ts";
import { FormField } from "./form_field.tsx";

/** Props of {@linkcode WorkPoolForm}. */
export interface WorkPoolFormProps {
  /** URL the form posts to. */
  action: string;
  csrf: string;
  draft: FormDraft;
  /** A new pool (with a name field) or the settings of an existing one. */
  mode: "create" | "edit";
}

/**
 * A work pool's name (when it is new), description and concurrency limit, as
 * one plain HTML form; a refused post comes back with each problem under its
 * field.
 */
export function WorkPoolForm({ action, csrf, draft, mode }: WorkPoolFormProps) {
  const prefix = mode === "create" ? "new-pool" : "pool";
  return (
    <form method="post" action={action} data-form={prefix}>
      <input type="hidden" name="_csrf" value={csrf} />
      <div class="form-grid">
        {mode === "create" && (
          <FormField
            name="name"
            label="Name"
            draft={draft}
            idPrefix={prefix}
            required
            hint="Letters, digits, _ . : and -"
          />
        )}
        <FormField
          name="concurrency_limit"
          label="Concurrency limit"
          kind="number"
          draft={draft}
          idPrefix={prefix}
          hint="Most runs active at once; empty: no limit"
        />
        <FormField
          name="description"
          label="Description"
          kind="textarea"
          draft={draft}
          idPrefix={prefix}
          wide
        />
      </div>
      {draft.error && <p class="s-FAILED" role="alert">{draft.error}</p>}
      <div class="actions">
        <button type="submit">{mode === "create" ? "Create work pool" : "Save settings"}</button>
      </div>
    </form>
  );
}
