import { isTerminal, type PauseRequest, type RunRecord } from "../../engine/mod.ts";
import { runHref } from "../links.ts";

/** Props of {@linkcode RunActionForms}. */
export interface RunActionFormsProps {
  run: RunRecord;
  csrf: string;
  /** What the run's pause asks of a resume; null when it is not PAUSED. */
  pause?: PauseRequest | null;
}

const RETRYABLE = new Set(["FAILED", "CRASHED", "CANCELLED"]);

/** Cancel, pause, resume and retry as plain HTML forms (they work without JavaScript). */
export function RunActionForms({ run, csrf, pause = null }: RunActionFormsProps) {
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
  // A terminated run of no deployment has no process and no worker: only a
  // process that defines its flow can run it again (resumeFlowRun in the SDK).
  const resumable = run.state === "PAUSED" &&
    (run.stateName !== "Suspended" || run.deploymentId !== null);
  if (resumable) {
    forms.push(
      <form key="resume" method="post" action={`${base}/resume`}>
        {token}
        {pause?.waitsForInput
          ? (
            <>
              <label for="resume-input">Input (JSON)</label>
              <textarea id="resume-input" name="input" rows={4} required></textarea>
              {pause.inputSchema !== null && (
                <details>
                  <summary>Input schema</summary>
                  <pre>{JSON.stringify(pause.inputSchema, null, 2)}</pre>
                </details>
              )}
            </>
          )
          : null}
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
  // Only a deployment run has a worker to run a new attempt (as in Prefect's UI).
  if (RETRYABLE.has(run.state) && run.parentId === null && run.deploymentId !== null) {
    forms.push(
      <form key="retry" method="post" action={`${base}/retry`}>
        {token}
        <button type="submit">Retry as a new attempt</button>
      </form>,
    );
  }
  // Always rendered, so a live refresh can add or drop forms as the state moves.
  return (
    <div class="actions">
      {forms}
    </div>
  );
}
