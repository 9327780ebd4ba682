/** Props of {@linkcode PauseForm}. */
export interface PauseFormProps {
  /** URL of the thing: the form posts to `<base>/pause` or `<base>/resume`. */
  base: string;
  paused: boolean;
  csrf: string;
  /** What pausing does, shown as the button's title. */
  hint: string;
}

/** Pause or resume as one plain HTML form (works without JavaScript). */
export function PauseForm({ base, paused, csrf, hint }: PauseFormProps) {
  return (
    <form method="post" action={`${base}/${paused ? "resume" : "pause"}`}>
      <input type="hidden" name="_csrf" value={csrf} />
      {paused
        ? <button type="submit">Resume</button>
        : <button type="submit" class="secondary" title={hint}>Pause</button>}
    </form>
  );
}
