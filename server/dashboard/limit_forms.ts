/**
 * The concurrency limits page's forms: create a limit, change its size or
 * slot decay, reset its slots. The fields are checked with the API's own body schemas and
 * written by the same engine functions as `POST`/`PATCH
 * /api/concurrency-limits`.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import {
  createConcurrencyLimit,
  resetConcurrencyLimit,
  updateConcurrencyLimit,
} from "../../engine/mod.ts";
import { CreateLimitBody, UpdateLimitBody } from "../../wire/concurrency_limit_schemas.ts";
import { describeError } from "../errors.ts";
import type { PageKit } from "./kit.ts";

const PAGE = "/concurrency-limits";

// A number field: blank is "not given", anything else goes to the schema as
// typed so "abc" is refused there rather than silently dropped.
function numberField(value: unknown): number | string | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

function problemsOf(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/**
 * Registers `POST /concurrency-limits`, `POST /concurrency-limits/:name` and
 * `POST /concurrency-limits/:name/reset`.
 */
export function limitForms(pages: Hono, kit: PageKit): void {
  const { engine } = kit.deps;
  const back = (c: Context, ok: boolean, message: string) =>
    c.redirect(`${PAGE}?flash=${kit.flashes.put(ok, message)}`, 303);

  pages.post(
    PAGE,
    kit.form(async (c, form) => {
      const decay = numberField(form["slot_decay_per_second"]);
      const parsed = CreateLimitBody.safeParse({
        name: typeof form["name"] === "string" ? form["name"].trim() : "",
        limit: numberField(form["limit"]),
        ...(decay !== undefined ? { slot_decay_per_second: decay } : {}),
      });
      if (!parsed.success) {
        return back(c, false, `Not created: ${problemsOf(parsed.error.issues)}`);
      }
      const body = parsed.data;
      try {
        await createConcurrencyLimit(engine, {
          name: body.name,
          limit: body.limit,
          ...(body.slot_decay_per_second !== undefined
            ? { slotDecayPerSecond: body.slot_decay_per_second }
            : {}),
        });
      } catch (error) {
        const { status, body: answer } = describeError(error);
        if (status !== 409) throw error;
        return back(c, false, answer.error.message);
      }
      return back(c, true, `Concurrency limit "${body.name}" created.`);
    }),
  );

  pages.post(
    `${PAGE}/:name`,
    kit.form(async (c, form) => {
      const name = c.req.param("name") ?? "";
      const limit = numberField(form["limit"]);
      const decay = numberField(form["slot_decay_per_second"]);
      const parsed = UpdateLimitBody.safeParse({
        ...(limit !== undefined ? { limit } : {}),
        ...(decay !== undefined ? { slot_decay_per_second: decay } : {}),
      });
      if (!parsed.success) {
        return back(c, false, `"${name}" not changed: ${problemsOf(parsed.error.issues)}`);
      }
      const body = parsed.data;
      await updateConcurrencyLimit(engine, name, {
        ...(body.limit !== undefined ? { limit: body.limit } : {}),
        ...(body.slot_decay_per_second !== undefined
          ? { slotDecayPerSecond: body.slot_decay_per_second }
          : {}),
      });
      return back(c, true, `Concurrency limit "${name}" saved.`);
    }),
  );

  pages.post(
    `${PAGE}/:name/reset`,
    kit.form(async (c) => {
      const name = c.req.param("name") ?? "";
      const reset = await resetConcurrencyLimit(engine, name);
      const freed = Math.round(reset.freed * 100) / 100;
      return back(
        c,
        true,
        `Concurrency limit "${name}" reset: ${freed} slot${freed === 1 ? "" : "s"} freed.`,
      );
    }),
  );
}
