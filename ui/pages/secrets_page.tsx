import type { SecretInfo } from "../../engine/secrets/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import type { FlashMessage as Flash, PageContext } from "../types.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

/** Props of {@linkcode SecretsPage}. */
export interface SecretsPageProps {
  ctx: PageContext;
  /** Names and times only: a value never reaches a page. */
  secrets: readonly SecretInfo[];
  nextCursor: string | null;
  paged: boolean;
  /** Whether the server has `IRONFLOW_SECRET_KEY` (without it secrets cannot be set). */
  canSet: boolean;
  /** The name last posted, kept after a refusal (the value never is). @default "" */
  name?: string;
  /** What is wrong with the posted form. @default null */
  error?: string | null;
  /** @default null */
  flash?: Flash | null;
}

/** Secrets: names and times; set a value (write only) or delete one. */
export function SecretsPage(props: SecretsPageProps) {
  const { ctx, secrets, nextCursor, paged, canSet, name = "", error = null, flash = null } = props;
  const token = <input type="hidden" name="_csrf" value={ctx.session.csrf} />;
  const described = error
    ? { "aria-invalid": "true" as const, "aria-describedby": "secret-error" }
    : {};
  return (
    <Layout title="Secrets" ctx={ctx} active="secrets">
      <h1>Secrets</h1>
      <FlashMessage flash={flash} />
      <section class="panel" id="set">
        <h2>Set a secret</h2>
        {!canSet && (
          <p class="flash bad" role="note" data-no-secret-key>
            This server has no{" "}
            <code>IRONFLOW_SECRET_KEY</code>, so it cannot encrypt secrets. Start it with a key of
            16 or more characters, e.g.{" "}
            <code>IRONFLOW_SECRET_KEY="$(openssl rand -base64 32)" ironflow server start</code>, and
            keep the key: secrets stored under it cannot be read without it.
          </p>
        )}
        <form method="post" action="/secrets" class="fields" data-form="secret">
          {token}
          <fieldset disabled={!canSet} class="fields plain">
            <label class="grow">
              <span>Name (lowercase letters, digits, _ and -)</span>
              <input type="text" name="name" value={name} required {...described} />
            </label>
            <label class="grow">
              <span>Value (never shown again)</span>
              <input type="password" name="value" required autocomplete="new-password" />
            </label>
            <button type="submit">Save</button>
          </fieldset>
          {error && <span id="secret-error" class="field-error" role="alert">{error}</span>}
        </form>
      </section>
      <section class="panel flush" tabIndex={0} aria-label="Secrets">
        {secrets.length === 0
          ? (
            <EmptyState title="No secrets">
              <p>
                A secret is a named value stored encrypted; flows read it with{" "}
                <code>getSecret("name")</code>, and it is redacted from their logs and results.
              </p>
            </EmptyState>
          )
          : (
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Created</th>
                  <th>Updated</th>
                  <th>Delete</th>
                </tr>
              </thead>
              <tbody>
                {secrets.map((secret) => (
                  <tr key={secret.name} data-secret={secret.name}>
                    <td class="mono">{secret.name}</td>
                    <td>
                      <TimeLabel ms={secret.createdAt} />
                    </td>
                    <td>
                      <TimeLabel ms={secret.updatedAt} />
                    </td>
                    <td>
                      <ConfirmAction
                        label="Delete…"
                        action={`/secrets/${encodeURIComponent(secret.name)}/delete`}
                        csrf={ctx.session.csrf}
                        question={<>Delete "{secret.name}"? Flows that read it will fail.</>}
                        confirm="Yes, delete it"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <Pager
        firstHref={paged ? "/secrets" : null}
        nextHref={nextCursor === null ? null : `/secrets?cursor=${encodeURIComponent(nextCursor)}`}
        label="Secret pages"
      />
    </Layout>
  );
}
