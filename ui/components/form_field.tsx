import type { FormDraft } from "../types.ts";

/** Props of {@linkcode FormField}. */
export interface FormFieldProps {
  /** The posted name; also the key of the draft's value and error. */
  name: string;
  label: string;
  draft: FormDraft;
  /** Id prefix, unique on the page. */
  idPrefix: string;
  /** @default "text" */
  kind?: "text" | "number" | "textarea" | "select" | "checkbox";
  /** Options of a `select`: [value, label]. */
  choices?: ReadonlyArray<readonly [string, string]>;
  hint?: string;
  required?: boolean;
  /** Spans the whole row of the form. @default false */
  wide?: boolean;
}

/**
 * One labelled input of a settings form, with its hint and, after a refused
 * post, its problem right below it (linked with `aria-describedby`).
 */
export function FormField(props: FormFieldProps) {
  const { name, label, draft, kind = "text", hint, wide = false } = props;
  const id = `${props.idPrefix}-${name}`;
  const value = draft.values[name] ?? "";
  const error = draft.errors[name];
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean)
    .join(" ") || undefined;
  const common = {
    id,
    name,
    "aria-invalid": error ? "true" as const : undefined,
    "aria-describedby": described,
    required: props.required || undefined,
  };
  const input = kind === "textarea"
    ? (
      <textarea {...common} rows={Math.min(10, Math.max(2, value.split("\n").length + 1))}>
        {value}
      </textarea>
    )
    : kind === "select"
    ? (
      <select {...common}>
        {(props.choices ?? []).map(([choice, text]) => (
          <option key={choice} value={choice} selected={choice === value}>{text}</option>
        ))}
      </select>
    )
    : kind === "checkbox"
    ? <input {...common} type="checkbox" value="on" checked={value === "on"} />
    : (
      <input
        {...common}
        type="text"
        inputMode={kind === "number" ? "numeric" : undefined}
        value={value}
      />
    );
  return (
    <div class={`field${wide ? " wide" : ""}${kind === "checkbox" ? " check" : ""}`}>
      {kind === "checkbox"
        ? (
          <label for={id}>
            {input} {label}
          </label>
        )
        : (
          <>
            <label for={id}>{label}</label>
            {input}
          </>
        )}
      {hint && <span id={`${id}-hint`} class="muted small">{hint}</span>}
      {error && <span id={`${id}-error`} class="field-error" role="alert">{error}</span>}
    </div>
  );
}
