import { isTerminal, type RunRecord } from "../../engine/mod.ts";
import { runHref } from "../links.ts";

/** Props of {@linkcode RunActionForms}. */
export interface RunActionFormsProps {
  run: RunRecord;
  csrf: string;
}

const RETRYABLE = new Set(["FAILED", "CRASHED", "CANCELLED"]);

/** Cancel, pause, resume and retry as plain HTML forms (they work without JavaScript). */
export function RunActionForms({ run, csrf }: RunActionFormsProps) {
  const base = runHref(run.id);
  const token = <input type="hidden" name="_csrf" value={csrf} />;
  const forms = [];
  if (run.state === "RUNNING") {
    forms.push(
      <form key="pause" method="post" action={`${base}/pause`}>
        {token}
        <select name="mode" aria-label="Pause mode">
          <option value="drain">Drain: running tasks finish</option>
          <option value="terminate">Terminate: stop now</option>
        </select>
        <button type="submit" class="secondary">Pause</button>
      </form>,
    );
  }
  if (run.state === "PAUSED") {
    forms.push(
      <form key="resume" method="post" action={`${base}/resume`}>
        {token}
        <button type="submit">Resume</button>
      </form>,
    );
  }
  if (!isTerminal(run.state) && run.state !== "CANCELLING") {
    forms.push(
      <form key="cancel" method="post" action={`${base}/cancel`}>
        {token}
        <button type="submit" class="danger">Cancel run</button>
      </form>,
    );
  }
  if (RETRYABLE.has(run.state) && run.parentId === null) {
    forms.push(
      <form key="retry" method="post" action={`${base}/retry`}>
        {token}
        <button type="submit">Retry as a new attempt</button>
      </form>,
    );
  }
  // Always rendered, so a live refresh can add or drop forms as the state moves.
  return (
    <div class="actions" data-live="actions">
      {forms}
    </div>
  );
}
