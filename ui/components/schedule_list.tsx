import { describeSchedule } from "../format.ts";
import { deploymentHref } from "../links.ts";
import type { ScheduleView } from "../types.ts";
import { NextTimes } from "./next_times.tsx";
import { Pill } from "./pill.tsx";

/** Props of {@linkcode ScheduleList}. */
export interface ScheduleListProps {
  /** Name of the deployment (its page and form URLs). */
  deployment: string;
  schedules: readonly ScheduleView[];
  /** A paused deployment creates no scheduled runs, whatever its schedules say. */
  paused: boolean;
  csrf: string;
  /** The schedule open in the editor, if any. */
  editing: number | null;
}

/** A deployment's schedules: each with `active`, its next run times and edit, toggle, remove. */
export function ScheduleList({ deployment, schedules, paused, csrf, editing }: ScheduleListProps) {
  const action = `${deploymentHref(deployment)}/schedules`;
  return (
    <div class="schedules">
      {schedules.map((view) => {
        const { schedule } = view;
        const hidden = (intent: string) => (
          <>
            <input type="hidden" name="_csrf" value={csrf} />
            <input type="hidden" name="intent" value={intent} />
            <input type="hidden" name="index" value={String(view.index)} />
            <input type="hidden" name="key" value={view.key} />
          </>
        );
        return (
          <div
            key={view.index}
            class={`schedule${view.index === editing ? " editing" : ""}`}
            data-schedule={view.index}
          >
            <div class="row spread">
              <div class="row">
                <strong class="mono">{describeSchedule(schedule)}</strong>
                {schedule.active
                  ? <Pill tone="ok">Active</Pill>
                  : <Pill tone="off" title="Creates no runs">Off</Pill>}
              </div>
              <div class="actions">
                <a
                  class="button secondary"
                  href={`${deploymentHref(deployment, { schedule: String(view.index) })}#editor`}
                >
                  Edit
                </a>
                <form method="post" action={action}>
                  {hidden("toggle")}
                  <button type="submit" class="secondary">
                    {schedule.active ? "Turn off" : "Turn on"}
                  </button>
                </form>
                <form method="post" action={action}>
                  {hidden("remove")}
                  <button type="submit" class="secondary">Remove</button>
                </form>
              </div>
            </div>
            <div class="muted small">
              {schedule.slug && (
                <span class="mono" data-slug={schedule.slug}>{`${schedule.slug} · `}</span>
              )}
              {`Time zone ${schedule.timezone} · catch-up ${schedule.catchup}`}
              {schedule.parameters && Object.keys(schedule.parameters).length > 0 &&
                ` · parameters ${JSON.stringify(schedule.parameters)}`}
              {schedule.kind !== "cron" && ` · anchor ${new Date(schedule.anchor).toISOString()}`}
            </div>
            {view.missed > 0 && (
              <p class="small s-Late" data-missed={view.missed}>
                {`Missed ${view.missed} slot${
                  view.missed === 1 ? "" : "s"
                } while no scheduler ran` +
                  (view.lastMissed !== null
                    ? ` (the last at ${new Date(view.lastMissed).toISOString()})`
                    : "") +
                  `: catch-up "${schedule.catchup}" gave ${
                    view.missed === 1 ? "it" : "them"
                  } no run.`}
              </p>
            )}
            {view.error !== null ? <p class="s-FAILED">{view.error}</p> : (
              <>
                <div class="small">
                  {!schedule.active
                    ? "Off: these times would be its next runs."
                    : paused
                    ? "The deployment is paused: these slots get no runs until it resumes."
                    : "Next runs:"}
                </div>
                <NextTimes times={view.next} timezone={schedule.timezone} />
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}
