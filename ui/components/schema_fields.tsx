import type { SchemaField } from "../schema_form.ts";

/** Props of {@linkcode SchemaFields}. */
export interface SchemaFieldsProps {
  fields: readonly SchemaField[];
  /** Text of each field by path (defaults, or what was posted). */
  values: Readonly<Record<string, string>>;
  /** A problem per field path, shown next to its field. */
  errors: Readonly<Record<string, string>>;
  /** Prefix of the element ids, so two forms on a page do not collide. */
  idPrefix: string;
}

/** Inputs for the properties of a JSON Schema: typed, with defaults, enums and nested groups. */
export function SchemaFields({ fields, values, errors, idPrefix }: SchemaFieldsProps) {
  return (
    <div class="schema-fields">
      {fields.map((field) => {
        const id = `${idPrefix}-${field.path.replaceAll(".", "-")}`;
        const error = errors[field.path];
        const hint = field.description;
        const label = (
          <span>
            {field.label}
            {field.required && <abbr title="required" class="req">*</abbr>}
            {field.kind !== "group" && <span class="muted small">{` ${typeLabel(field)}`}</span>}
          </span>
        );
        if (field.kind === "group") {
          return (
            <fieldset key={field.path} class="group">
              <legend>{label}</legend>
              {hint && <p class="muted small">{hint}</p>}
              <SchemaFields
                fields={field.fields}
                values={values}
                errors={errors}
                idPrefix={idPrefix}
              />
            </fieldset>
          );
        }
        const value = values[field.path] ?? "";
        const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean)
          .join(" ") || undefined;
        const common = {
          id,
          name: field.name,
          "aria-invalid": error ? "true" as const : undefined,
          "aria-describedby": described,
        };
        return (
          <div key={field.path} class="field">
            <label for={id}>{label}</label>
            {field.kind === "choice" || field.kind === "boolean"
              ? (
                <select {...common}>
                  <option value="" selected={value === ""}>(default)</option>
                  {(field.kind === "boolean" ? ["true", "false"] : field.choices).map((choice) => (
                    <option key={choice} value={choice} selected={choice === value}>
                      {choice}
                    </option>
                  ))}
                </select>
              )
              : field.kind === "json"
              ? <textarea {...common} rows={2} spellcheck={false}>{value}</textarea>
              : (
                <input
                  {...common}
                  type="text"
                  inputMode={field.kind === "text" ? undefined : "decimal"}
                  value={value}
                />
              )}
            {hint && <span id={`${id}-hint`} class="muted small">{hint}</span>}
            {error && <span id={`${id}-error`} class="field-error" role="alert">{error}</span>}
          </div>
        );
      })}
    </div>
  );
}

function typeLabel(field: SchemaField): string {
  switch (field.kind) {
    case "integer":
      return "(integer)";
    case "number":
      return "(number)";
    case "json":
      return "(JSON)";
    default:
      return "";
  }
}
