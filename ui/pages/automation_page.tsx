import type { FiringRecord } from "../../engine/automations/mod.ts";
import { AutomationForm } from "../components/automation_form.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import type { AutomationRow, FlashMessage as Flash, PageContext, SpecDraft } from "../types.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

/** Props of {@linkcode AutomationPage}. */
export interface AutomationPageProps {
  ctx: PageContext;
  automation: AutomationRow & { id: string; description: string; updatedAt: number };
  /** Newest first. */
  firings: readonly FiringRecord[];
  /** The edit form: the automation as YAML, or as posted with its error. */
  draft: SpecDraft;
  /** @default null */
  flash?: Flash | null;
}

/** One automation: its settings, pause / resume / delete, edit, and its recent firings. */
export function AutomationPage(props: AutomationPageProps) {
  const { ctx, automation, firings, draft, flash = null } = props;
  const token = <input type="hidden" name="_csrf" value={ctx.session.csrf} />;
  const base = automation.href;
  const events = `/events?resource=${encodeURIComponent(`ironflow.automation.${automation.id}`)}`;
  return (
    <Layout title={`Automation ${automation.name}`} ctx={ctx} active="automations">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/automations">Automations</a> / {automation.name}
      </nav>
      <h1>{automation.name}</h1>
      <FlashMessage flash={flash} />
      <section class="panel">
        {automation.description && <p class="description">{automation.description}</p>}
        <dl class="kv">
          <dt>State</dt>
          <dd data-automation-state>{automation.enabled ? "enabled" : "paused"}</dd>
          <dt>Trigger</dt>
          <dd>{automation.trigger}</dd>
          <dt>Actions</dt>
          <dd>{automation.actions}</dd>
          <dt>Last fired</dt>
          <dd>
            <TimeLabel ms={automation.lastFiredAt} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <TimeLabel ms={automation.updatedAt} />
          </dd>
          <dt>Events</dt>
          <dd>
            <a href={events}>Firings and action results in the event feed</a>
          </dd>
        </dl>
        <div class="row actions">
          <form method="post" action={`${base}/${automation.enabled ? "pause" : "resume"}`}>
            {token}
            <button type="submit" class="secondary">
              {automation.enabled ? "Pause" : "Resume"}
            </button>
          </form>
          <ConfirmAction
            label="Delete…"
            action={`${base}/delete`}
            csrf={ctx.session.csrf}
            question="Delete this automation? Its firings stay in the event feed."
            confirm="Yes, delete it"
          />
        </div>
      </section>
      <section class="panel flush" tabIndex={0} aria-label="Recent firings">
        <h2 class="pad">Recent firings</h2>
        {firings.length === 0
          ? <p class="muted pad">It has not fired yet.</p>
          : (
            <table class="tight">
              <thead>
                <tr>
                  <th>Fired</th>
                  <th>Group</th>
                  <th class="num">Count</th>
                  <th>Action results</th>
                </tr>
              </thead>
              <tbody>
                {firings.map((firing) => (
                  <tr key={firing.id} data-firing={firing.id}>
                    <td>
                      <TimeLabel ms={firing.at} />
                    </td>
                    <td class="mono small">{firing.group || "—"}</td>
                    <td class="num">{firing.count}</td>
                    <td class="small">
                      <ol class="plain">
                        {firing.actions.map((result, i) => (
                          <li key={i}>
                            <span class={resultClass(result.status)}>{result.status}</span>
                            {result.attempts > 1 && ` after ${result.attempts} attempts`}
                            {result.message ? ` · ${result.message}` : ""}
                          </li>
                        ))}
                      </ol>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <section class="panel" id="edit">
        <h2>Edit</h2>
        <AutomationForm ctx={ctx} action={base} draft={draft} submit="Save" />
      </section>
    </Layout>
  );
}

function resultClass(status: string): string {
  return status === "succeeded" ? "s-COMPLETED" : status === "failed" ? "s-FAILED" : "s-PENDING";
}
