import { EmptyState } from "../components/empty_state.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import { AutomationForm } from "../components/automation_form.tsx";
import type { AutomationRow, FlashMessage as Flash, PageContext, SpecDraft } from "../types.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

/** Props of {@linkcode AutomationsPage}. */
export interface AutomationsPageProps {
  ctx: PageContext;
  automations: readonly AutomationRow[];
  /** The create form as posted, with its error. @default an example */
  draft?: SpecDraft;
  /** @default null */
  flash?: Flash | null;
}

const EXAMPLE = `name: retry-on-failure
trigger:
  type: run-state
  states: [Failed, Crashed]
actions:
  - type: emit-event
    event: acme.run.failed
    resource: "{{ event.resource }}"
`;

/** Automations: each trigger and its actions, paused or not, and when it last fired. */
export function AutomationsPage(props: AutomationsPageProps) {
  const { ctx, automations, flash = null } = props;
  const token = <input type="hidden" name="_csrf" value={ctx.session.csrf} />;
  return (
    <Layout title="Automations" ctx={ctx} active="automations">
      <h1>Automations</h1>
      <FlashMessage flash={flash} />
      <section class="panel flush" tabIndex={0} aria-label="Automations">
        {automations.length === 0
          ? (
            <EmptyState
              title="No automations"
              command="ironflow automation apply --file ironflow.yaml"
            >
              <p>
                An automation watches the event feed and acts when its trigger fires: run a
                deployment, pause a work pool, emit an event, call a URL. Create one below or apply
                a file of them from the CLI:
              </p>
            </EmptyState>
          )
          : (
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>State</th>
                  <th>Trigger</th>
                  <th>Actions</th>
                  <th>Last fired</th>
                  <th>Change</th>
                </tr>
              </thead>
              <tbody>
                {automations.map((row) => (
                  <tr key={row.name} data-automation={row.name}>
                    <td>
                      <a href={row.href}>{row.name}</a>
                    </td>
                    <td>
                      {row.enabled
                        ? <span class="s-COMPLETED">enabled</span>
                        : <span class="s-PAUSED">paused</span>}
                    </td>
                    <td class="small">{row.trigger}</td>
                    <td class="small">{row.actions}</td>
                    <td>
                      <TimeLabel ms={row.lastFiredAt} />
                    </td>
                    <td>
                      <div class="actions">
                        <form
                          method="post"
                          action={`${row.href}/${row.enabled ? "pause" : "resume"}`}
                        >
                          {token}
                          <input type="hidden" name="next" value="/automations" />
                          <button
                            type="submit"
                            class="secondary"
                            aria-label={`${row.enabled ? "Pause" : "Resume"} ${row.name}`}
                          >
                            {row.enabled ? "Pause" : "Resume"}
                          </button>
                        </form>
                        <ConfirmAction
                          label="Delete…"
                          action={`${row.href}/delete`}
                          csrf={ctx.session.csrf}
                          question={<>Delete "{row.name}"? Its firings stay in the event feed.</>}
                          confirm="Yes, delete it"
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <section class="panel" id="new">
        <h2>New automation</h2>
        <AutomationForm
          ctx={ctx}
          action="/automations"
          draft={props.draft ?? { text: EXAMPLE, error: null }}
          submit="Create"
        />
      </section>
    </Layout>
  );
}
