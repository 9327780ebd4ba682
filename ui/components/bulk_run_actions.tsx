/** Id of the bulk actions form: the runs table's checkboxes name it. */
export const BULK_FORM_ID = "bulk-runs";

/** Props of {@linkcode BulkRunActions}. */
export interface BulkRunActionsProps {
  csrf: string;
  /** Where to come back to (the page with its filters). */
  next: string;
}

/**
 * Cancel or retry the runs selected in the table below: a plain form post
 * (works without JavaScript) whose checkboxes live in the table's rows.
 */
export function BulkRunActions({ csrf, next }: BulkRunActionsProps) {
  return (
    <form id={BULK_FORM_ID} class="row pad" method="post" action="/runs/bulk">
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="next" value={next} />
      <span class="small muted">With the selected runs:</span>
      <button type="submit" name="action" value="cancel" class="danger">Cancel runs</button>
      <button type="submit" name="action" value="retry">Retry runs</button>
    </form>
  );
}
