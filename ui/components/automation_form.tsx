import type { PageContext, SpecDraft } from "../types.ts";

/** Props of {@linkcode AutomationForm}. */
export interface AutomationFormProps {
  ctx: PageContext;
  /** Where the form posts. */
  action: string;
  draft: SpecDraft;
  submit: string;
}

/** An automation as YAML or JSON text (the shape `ironflow automation apply` reads). */
export function AutomationForm({ ctx, action, draft, submit }: AutomationFormProps) {
  return (
    <form method="post" action={action} class="editor" data-form="automation">
      <input type="hidden" name="_csrf" value={ctx.session.csrf} />
      <label class="block" for="automation-spec">
        <span>Automation (YAML or JSON: name, description, enabled, trigger, actions)</span>
      </label>
      <textarea
        id="automation-spec"
        name="spec"
        rows={14}
        required
        spellcheck={false}
        aria-invalid={draft.error !== null ? "true" : undefined}
        aria-describedby={draft.error !== null ? "automation-spec-error" : undefined}
      >
        {draft.text}
      </textarea>
      {draft.error !== null && (
        <span id="automation-spec-error" class="field-error" role="alert">{draft.error}</span>
      )}
      <div>
        <button type="submit">{submit}</button>
      </div>
    </form>
  );
}
