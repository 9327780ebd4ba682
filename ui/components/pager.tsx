/** Props of {@linkcode Pager}. */
export interface PagerProps {
  /** Link to the first page, when this is not it. */
  firstHref: string | null;
  /** Link to the next page, when there is one. */
  nextHref: string | null;
  label?: string;
  /** Text of the first-page link. @default "« First page" */
  firstLabel?: string;
}

/** Keyset paging: back to the first page, on to the next. */
export function Pager({ firstHref, nextHref, label, firstLabel }: PagerProps) {
  if (firstHref === null && nextHref === null) return null;
  return (
    <nav class="pager" aria-label={label ?? "Pages"}>
      {firstHref !== null && <a href={firstHref}>{firstLabel ?? "« First page"}</a>}
      {nextHref !== null && (
        <a class="button secondary" href={nextHref} rel="next">
          Next page →
        </a>
      )}
    </nav>
  );
}
