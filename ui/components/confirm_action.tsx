import type { ComponentChildren } from "preact";

/** Props of {@linkcode ConfirmAction}. */
export interface ConfirmActionProps {
  /** The button that opens the question, e.g. "Delete…". */
  label: string;
  /** Where the confirmed form posts. */
  action: string;
  csrf: string;
  /** What is about to happen, asked as a question. */
  question: ComponentChildren;
  /** The button that does it, e.g. "Yes, delete it". */
  confirm: string;
  /** The opening button's look. @default "danger" */
  tone?: "danger" | "secondary";
  /** `data-*` attributes of the step, for scripts and tests that find it. */
  data?: Readonly<Record<`data-${string}`, string>>;
}

/**
 * A destructive action asked first: a `details` step whose form posts only
 * once confirmed. It works without JavaScript.
 */
export function ConfirmAction(props: ConfirmActionProps) {
  return (
    <details class="confirm" {...props.data}>
      <summary class={`button ${props.tone ?? "danger"}`}>{props.label}</summary>
      <form method="post" action={props.action}>
        <input type="hidden" name="_csrf" value={props.csrf} />
        <span>{props.question}</span>
        <button type="submit" class="danger">{props.confirm}</button>
      </form>
    </details>
  );
}
