import type { ScheduleDraft, ScheduleKind, SchedulePreview } from "../types.ts";
import { NextTimes } from "./next_times.tsx";

/** Props of {@linkcode ScheduleEditor}. */
export interface ScheduleEditorProps {
  /** URL the form posts to. */
  action: string;
  /** Where "cancel" goes (the deployment's page without an open schedule). */
  cancelHref: string;
  csrf: string;
  draft: ScheduleDraft;
  /** The next runs of the submitted draft, or why it does not work. */
  preview: SchedulePreview | null;
  /** Time zones offered as suggestions (any IANA name is accepted). */
  timezones: readonly string[];
}

const KINDS: readonly [ScheduleKind, string][] = [
  ["interval", "Interval"],
  ["cron", "Cron"],
  ["rrule", "RRule"],
];

const PLACEHOLDERS: Record<ScheduleKind, string> = {
  interval: "3600, 15m, 1h or 1d",
  cron: "0 9 * * 1-5 or @daily",
  rrule: "FREQ=WEEKLY;BYDAY=MO,WE",
};

/**
 * Writes a schedule: kind, value, time zone, anchor, active, catch-up. "Preview"
 * posts the draft and the page comes back with its next runs (no JavaScript
 * needed); "Save" stores it on the deployment.
 */
export function ScheduleEditor(
  { action, cancelHref, csrf, draft, preview, timezones }: ScheduleEditorProps,
) {
  const editing = draft.index !== null;
  return (
    <form method="post" action={action} class="editor" id="editor">
      <h3>{editing ? `Edit schedule ${draft.index! + 1}` : "Add a schedule"}</h3>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="index" value={editing ? String(draft.index) : ""} />
      <input type="hidden" name="key" value={draft.key ?? ""} />
      <div class="fields">
        <label>
          <span>Kind</span>
          <select name="kind">
            {KINDS.map(([kind, label]) => (
              <option key={kind} value={kind} selected={kind === draft.kind}>{label}</option>
            ))}
          </select>
        </label>
        <label class="grow">
          <span>Value</span>
          <input
            type="text"
            name="value"
            value={draft.value}
            placeholder={PLACEHOLDERS[draft.kind]}
            required
            spellcheck={false}
            autocomplete="off"
          />
        </label>
        <label>
          <span>Time zone</span>
          <input
            type="text"
            name="timezone"
            value={draft.timezone}
            list="timezones"
            placeholder="UTC"
            spellcheck={false}
            autocomplete="off"
          />
        </label>
        <label>
          <span>Anchor (interval, RRule)</span>
          <input
            type="text"
            name="anchor"
            value={draft.anchor}
            placeholder="2024-01-01T00:00:00Z"
            spellcheck={false}
            autocomplete="off"
          />
        </label>
        <label>
          <span>After downtime</span>
          <select name="catchup">
            <option value="skip" selected={draft.catchup === "skip"}>Skip missed runs</option>
            <option value="run_once" selected={draft.catchup === "run_once"}>
              Run the newest once
            </option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="active" value="on" checked={draft.active} />
          <span>Active</span>
        </label>
      </div>
      <datalist id="timezones">
        {timezones.map((zone) => <option key={zone} value={zone}></option>)}
      </datalist>
      <p class="muted small">
        Interval: seconds (or <code>15m</code>, <code>1h</code>,{" "}
        <code>1d</code>) from the anchor. Cron: 5 or 6 fields or <code>@hourly</code>,{" "}
        <code>@daily</code>, <code>@weekly</code> … RRule: <code>FREQ=MINUTELY</code> to{" "}
        <code>WEEKLY</code> with <code>INTERVAL</code>, <code>BYDAY</code>, <code>COUNT</code>,{" "}
        <code>UNTIL</code>.
      </p>
      {preview !== null && (
        <div class={`preview${preview.error !== null ? " bad" : ""}`} role="status">
          {preview.error !== null
            ? <p class="s-FAILED">{preview.error}</p>
            : preview.next.length === 0
            ? <p>This schedule has no future runs.</p>
            : (
              <>
                <strong>{`Next ${preview.next.length} runs`}</strong>
                <NextTimes times={preview.next} timezone={draft.timezone || "UTC"} />
              </>
            )}
        </div>
      )}
      <div class="actions">
        {/* First, so Enter in a field previews rather than saves. */}
        <button type="submit" name="intent" value="preview" class="secondary">
          Preview next runs
        </button>
        <button type="submit" name="intent" value="save">
          {editing ? "Save schedule" : "Add schedule"}
        </button>
        {(editing || preview !== null) && <a href={cancelHref}>Cancel</a>}
      </div>
    </form>
  );
}
