import type { ComponentChildren } from "preact";
import type { Variable } from "../../engine/variables/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import type { FlashMessage as Flash, PageContext } from "../types.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

/** The variable form as posted (or prefilled to edit), with what is wrong with it. */
export interface VariableDraft {
  name: string;
  /** The value as JSON text. */
  value: string;
  /** Problems by field. */
  problems: { name?: string; value?: string };
}

/** Props of {@linkcode VariablesPage}. */
export interface VariablesPageProps {
  ctx: PageContext;
  variables: readonly Variable[];
  nextCursor: string | null;
  paged: boolean;
  /** @default an empty form */
  draft?: VariableDraft;
  /** @default null */
  flash?: Flash | null;
}

const PREVIEW_CHARS = 120;

/** Variables: named JSON values flows read; set, edit and delete them. */
export function VariablesPage(props: VariablesPageProps) {
  const { ctx, variables, nextCursor, paged, flash = null } = props;
  const draft = props.draft ?? { name: "", value: "", problems: {} };
  const token = <input type="hidden" name="_csrf" value={ctx.session.csrf} />;
  return (
    <Layout title="Variables" ctx={ctx} active="variables">
      <h1>Variables</h1>
      <FlashMessage flash={flash} />
      <section class="panel" id="set">
        <h2>Set a variable</h2>
        <form method="post" action="/variables" class="editor" data-form="variable">
          {token}
          <div class="fields">
            <Field name="name" label="Name (lowercase letters, digits, _ and -)" draft={draft}>
              <input
                id="variable-name"
                type="text"
                name="name"
                value={draft.name}
                required
                {...invalid("name", draft)}
              />
            </Field>
          </div>
          <Field name="value" label="Value (JSON)" draft={draft}>
            <textarea
              id="variable-value"
              name="value"
              rows={4}
              required
              {...invalid("value", draft)}
            >
              {draft.value}
            </textarea>
          </Field>
          <button type="submit">Save</button>
        </form>
      </section>
      <section class="panel flush" tabIndex={0} aria-label="Variables">
        {variables.length === 0
          ? (
            <EmptyState title="No variables" command={`ironflow variable set batch_size 500`}>
              <p>
                A variable is a named JSON value that flows read with{" "}
                <code>getVariable("name")</code> and templates with{" "}
                <code>{"{{ variables.name }}"}</code>. Set one above or from the CLI:
              </p>
            </EmptyState>
          )
          : (
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Value</th>
                  <th>Updated</th>
                  <th>Change</th>
                </tr>
              </thead>
              <tbody>
                {variables.map((variable) => {
                  const text = JSON.stringify(variable.value);
                  const preview = text.length > PREVIEW_CHARS
                    ? `${text.slice(0, PREVIEW_CHARS)}…`
                    : text;
                  const path = `/variables/${encodeURIComponent(variable.name)}`;
                  return (
                    <tr key={variable.name} data-variable={variable.name}>
                      <td class="mono">{variable.name}</td>
                      <td class="mono small">{preview}</td>
                      <td>
                        <TimeLabel ms={variable.updatedAt} />
                      </td>
                      <td>
                        <a href={`/variables?edit=${encodeURIComponent(variable.name)}#set`}>
                          Edit
                        </a>{" "}
                        <ConfirmAction
                          label="Delete…"
                          action={`${path}/delete`}
                          csrf={ctx.session.csrf}
                          question={<>Delete "{variable.name}"? Flows that read it will fail.</>}
                          confirm="Yes, delete it"
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
      </section>
      <Pager
        firstHref={paged ? "/variables" : null}
        nextHref={nextCursor === null
          ? null
          : `/variables?cursor=${encodeURIComponent(nextCursor)}`}
        label="Variable pages"
      />
    </Layout>
  );
}

function invalid(field: "name" | "value", draft: VariableDraft) {
  return draft.problems[field]
    ? { "aria-invalid": "true" as const, "aria-describedby": `variable-${field}-error` }
    : {};
}

function Field(
  { name, label, draft, children }: {
    name: "name" | "value";
    label: string;
    draft: VariableDraft;
    children: ComponentChildren;
  },
) {
  const problem = draft.problems[name];
  return (
    <label class={name === "value" ? "block" : "grow"}>
      <span>{label}</span>
      {children}
      {problem && (
        <span id={`variable-${name}-error`} class="field-error" role="alert">{problem}</span>
      )}
    </label>
  );
}
