import type { WorkQueue } from "../../engine/deployments/mod.ts";
import type { FormDraft } from "../types.ts";
import { FormField } from "./form_field.tsx";
import { ConfirmAction } from "./confirm_action.tsx";

/** Props of {@linkcode WorkQueueTable}. */
export interface WorkQueueTableProps {
  /** The pool's page; the queue forms post under `${base}/queues`. */
  base: string;
  csrf: string;
  queues: readonly WorkQueue[];
  /** The new-queue form: empty, or as posted with its problems. */
  create: FormDraft;
  /** A queue's settings as posted with their problems, to show again. */
  edit?: { queue: string; draft: FormDraft } | null;
}

/** A queue's settings as its edit form shows them. */
export function queueDraft(queue: WorkQueue): FormDraft {
  return {
    values: {
      priority: String(queue.priority),
      concurrency_limit: queue.concurrencyLimit === null ? "" : String(queue.concurrencyLimit),
    },
    errors: {},
  };
}

/**
 * A pool's work queues in the order workers claim from them (priority, lower
 * first), each with pause / resume, its settings and delete; and a form for a
 * new queue. Plain HTML forms: they work without JavaScript.
 */
export function WorkQueueTable({ base, csrf, queues, create, edit = null }: WorkQueueTableProps) {
  const token = <input type="hidden" name="_csrf" value={csrf} />;
  return (
    <>
      <table data-queues>
        <thead>
          <tr>
            <th>Queue</th>
            <th class="num">Priority</th>
            <th class="num">Concurrency limit</th>
            <th>State</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {queues.map((queue) => {
            const href = `${base}/queues/${encodeURIComponent(queue.name)}`;
            const editing = edit?.queue === queue.name ? edit.draft : null;
            const prefix = `queue-${queue.name.replaceAll(/[^\w-]/g, "_")}`;
            return (
              <tr key={queue.name} data-queue={queue.name}>
                <td class="mono">{queue.name}</td>
                <td class="num">{queue.priority}</td>
                <td class="num">{queue.concurrencyLimit ?? "no limit"}</td>
                <td>{queue.paused ? "Paused" : "Ready"}</td>
                <td>
                  <div class="actions">
                    <form method="post" action={`${href}/${queue.paused ? "resume" : "pause"}`}>
                      {token}
                      <button
                        type="submit"
                        class="secondary"
                        aria-label={`${queue.paused ? "Resume" : "Pause"} queue ${queue.name}`}
                      >
                        {queue.paused ? "Resume" : "Pause"}
                      </button>
                    </form>
                    <details class="confirm" open={editing !== null || undefined}>
                      <summary class="button secondary">Settings…</summary>
                      <form method="post" action={`${href}/settings`} data-form={prefix}>
                        {token}
                        <QueueFields
                          draft={editing ?? queueDraft(queue)}
                          prefix={prefix}
                        />
                        <button type="submit">Save queue</button>
                      </form>
                    </details>
                    {queue.name !== "default" && (
                      <ConfirmAction
                        label="Delete…"
                        tone="secondary"
                        action={`${href}/delete`}
                        csrf={csrf}
                        question={
                          <>Delete queue {queue.name}? Refused while a deployment uses it.</>
                        }
                        confirm="Yes, delete the queue"
                      />
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <details class="pad" open={Object.keys(create.errors).length > 0 || undefined}>
        <summary>New queue…</summary>
        <form method="post" action={`${base}/queues`} data-form="new-queue">
          {token}
          <div class="form-grid">
            <FormField
              name="name"
              label="Name"
              draft={create}
              idPrefix="new-queue"
              required
              hint="Letters, digits, _ . : and -"
            />
          </div>
          <QueueFields draft={create} prefix="new-queue" />
          <button type="submit">Create queue</button>
        </form>
      </details>
    </>
  );
}

function QueueFields({ draft, prefix }: { draft: FormDraft; prefix: string }) {
  return (
    <div class="form-grid">
      <FormField
        name="priority"
        label="Priority"
        kind="number"
        draft={draft}
        idPrefix={prefix}
        hint="1 or more; lower numbers are claimed from first"
      />
      <FormField
        name="concurrency_limit"
        label="Concurrency limit"
        kind="number"
        draft={draft}
        idPrefix={prefix}
        hint="Most claimed runs of the queue at once; empty: no limit"
      />
    </div>
  );
}
