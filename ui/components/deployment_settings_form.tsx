import type { SchemaField } from "../schema_form.ts";
import type { DeploymentSettingsDraft } from "../types.ts";
import { FormField } from "./form_field.tsx";
import { SchemaFields } from "./schema_fields.tsx";

/** Props of {@linkcode DeploymentSettingsForm}. */
export interface DeploymentSettingsFormProps {
  /** URL the form posts to. */
  action: string;
  csrf: string;
  draft: DeploymentSettingsDraft;
  /** Fields of the deployment's parameter schema; none: the defaults as JSON text. */
  fields: readonly SchemaField[];
  /** Names of the work pools to choose from. */
  workPools: readonly string[];
}

/**
 * A deployment's settings as one plain HTML form: description, tags, default
 * parameters (a field per schema property, JSON text without a schema), work
 * pool, concurrency limit and collision strategy, paused, timeout. A refused
 * post comes back with each problem under its field and nothing saved.
 */
export function DeploymentSettingsForm(props: DeploymentSettingsFormProps) {
  const { draft, fields } = props;
  const form = draft.form;
  const prefix = "settings";
  const byFields = fields.length > 0;
  return (
    <form method="post" action={props.action} data-form="settings">
      <input type="hidden" name="_csrf" value={props.csrf} />
      <input type="hidden" name="mode" value={byFields ? "fields" : "json"} />
      <div class="form-grid">
        <FormField
          name="description"
          label="Description"
          kind="textarea"
          draft={form}
          idPrefix={prefix}
          wide
        />
        <FormField
          name="tags"
          label="Tags"
          draft={form}
          idPrefix={prefix}
          hint="Comma-separated; every run of the deployment carries them"
          wide
        />
        <FormField
          name="work_pool"
          label="Work pool"
          kind="select"
          choices={props.workPools.map((name) => [name, name] as const)}
          draft={form}
          idPrefix={prefix}
        />
        <FormField
          name="concurrency_limit"
          label="Concurrency limit"
          kind="number"
          draft={form}
          idPrefix={prefix}
          hint="Most active runs at once; empty: no limit"
        />
        <FormField
          name="collision_strategy"
          label="At the limit"
          kind="select"
          choices={[
            ["ENQUEUE", "ENQUEUE: new runs wait"],
            ["CANCEL_NEW", "CANCEL_NEW: new runs are cancelled"],
          ]}
          draft={form}
          idPrefix={prefix}
        />
        <FormField
          name="timeout_seconds"
          label="Timeout (seconds)"
          kind="number"
          draft={form}
          idPrefix={prefix}
          hint="Empty: none"
        />
        <FormField
          name="paused"
          label="Paused (no scheduled runs)"
          kind="checkbox"
          draft={form}
          idPrefix={prefix}
        />
      </div>
      <fieldset class="group">
        <legend>Default parameters</legend>
        {byFields
          ? (
            <>
              <p class="muted small">Empty fields have no default.</p>
              <SchemaFields
                fields={fields}
                values={draft.params}
                errors={draft.paramErrors}
                idPrefix="default"
              />
            </>
          )
          : (
            <FormField
              name="parameters"
              label="As a JSON object"
              kind="textarea"
              draft={form}
              idPrefix={prefix}
              wide
            />
          )}
      </fieldset>
      {form.error && <p class="s-FAILED" role="alert">{form.error}</p>}
      <div class="actions">
        <button type="submit">Save settings</button>
      </div>
    </form>
  );
}
