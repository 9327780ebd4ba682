import type { ConcurrencyLimit } from "../../engine/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import type { FlashMessage as Flash, PageContext } from "../types.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

/** Props of {@linkcode ConcurrencyPage}. */
export interface ConcurrencyPageProps {
  ctx: PageContext;
  limits: readonly ConcurrencyLimit[];
  /** The outcome of a form just posted. @default null */
  flash?: Flash | null;
}

/** Global concurrency limits: slots in use out of each limit, with forms to change and reset them. */
export function ConcurrencyPage({ ctx, limits, flash = null }: ConcurrencyPageProps) {
  const token = <input type="hidden" name="_csrf" value={ctx.session.csrf} />;
  return (
    <Layout title="Concurrency limits" ctx={ctx} active="concurrency">
      <h1>Concurrency limits</h1>
      <FlashMessage flash={flash} />
      <section class="panel">
        <h2>New limit</h2>
        <form method="post" action="/concurrency-limits" class="fields" data-form="new-limit">
          {token}
          <label>
            <span>Name (the tag task runs carry)</span>
            <input type="text" name="name" required />
          </label>
          <label>
            <span>Slots</span>
            <input type="number" name="limit" min={0} step={1} required />
          </label>
          <label>
            <span>Slot decay / s (0: a concurrency limit)</span>
            <input type="number" name="slot_decay_per_second" min={0} step="any" />
          </label>
          <button type="submit">Create</button>
        </form>
      </section>
      <section class="panel flush" tabIndex={0}>
        {limits.length === 0
          ? (
            <EmptyState
              title="No concurrency limits"
              command={`curl -X POST localhost:4200/api/concurrency-limits \\\n  -H 'content-type: application/json' -d '{"name":"db","limit":5}'`}
            >
              <p>
                A concurrency limit caps how many task runs holding its name (as a tag) run at the
                same time, across every flow run; a slot decay turns it into a rate limit. Create
                one above or through the API and it appears here with its slots in use:
              </p>
            </EmptyState>
          )
          : (
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th class="num">Active slots</th>
                  <th class="num">Limit</th>
                  <th class="num">Slot decay / s</th>
                  <th>Updated</th>
                  <th>Change</th>
                  <th>Reset</th>
                </tr>
              </thead>
              <tbody>
                {limits.map((limit) => (
                  <tr key={limit.name}>
                    <td>{limit.name}</td>
                    <td class="num">{limit.activeSlots}</td>
                    <td class="num">{limit.limit}</td>
                    <td class="num">{limit.slotDecayPerSecond}</td>
                    <td>
                      <TimeLabel ms={limit.updatedAt} />
                    </td>
                    <td>
                      <form
                        method="post"
                        action={`/concurrency-limits/${encodeURIComponent(limit.name)}`}
                        class="inline-form"
                      >
                        {token}
                        <input
                          type="number"
                          name="limit"
                          min={0}
                          step={1}
                          value={String(limit.limit)}
                          aria-label={`Slots of ${limit.name}`}
                        />
                        <input
                          type="number"
                          name="slot_decay_per_second"
                          min={0}
                          step="any"
                          value={String(limit.slotDecayPerSecond)}
                          aria-label={`Slot decay of ${limit.name}`}
                        />
                        <button type="submit" class="secondary">Save</button>
                      </form>
                    </td>
                    <td>
                      <ConfirmAction
                        label="Reset…"
                        tone="secondary"
                        action={`/concurrency-limits/${encodeURIComponent(limit.name)}/reset`}
                        csrf={ctx.session.csrf}
                        question={
                          <>
                            Free all {limit.activeSlots} slots in use of{" "}
                            {limit.name}? Holders that finish later do not free them again.
                          </>
                        }
                        confirm="Yes, reset slots"
                        data={{ "data-reset": limit.name }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
    </Layout>
  );
}
