/**
 * The work pools pages and their forms (plain HTML posts with the CSRF
 * token, working without JavaScript): create a pool, change its description
 * and concurrency limit, pause and resume it, delete it. A refused form comes
 * back on the page with each problem under its field and nothing changed.
 * Writes go through the same engine functions as `/api/work-pools`.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { ConflictError, InvalidArgumentError } from "../../engine/mod.ts";
import {
  createWorkPool,
  createWorkQueue,
  deleteWorkPool,
  deleteWorkQueue,
  DeploymentError,
  type DeploymentService,
  getWorkPool,
  listWorkQueues,
  updateWorkPool,
  updateWorkQueue,
  type WorkPool,
  type WorkQueueInput,
} from "../../engine/deployments/mod.ts";
import {
  type FormDraft,
  type PageContext,
  workPoolHref,
  WorkPoolPage,
  WorkPoolsPage,
} from "../../ui/mod.ts";
import { workPoolData, workPoolRows } from "./deployments_data.ts";
import type { PageKit } from "./kit.ts";
import { sendPage } from "./render.ts";

type Form = Readonly<Record<string, unknown>>;

const POOL_NAME = /^[A-Za-z0-9_][\w.:-]*$/;
const MAX_LIMIT = 1_000_000;

function text(form: Form, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

/** A pool's settings as the form shows them. */
export function poolDraft(pool: WorkPool): FormDraft {
  return {
    values: {
      description: pool.description ?? "",
      concurrency_limit: pool.concurrencyLimit == null ? "" : String(pool.concurrencyLimit),
    },
    errors: {},
  };
}

/** What a posted pool form asks for, or the draft that says why not. */
export type PoolRequest =
  | { ok: true; name: string; description: string | null; concurrencyLimit: number | null }
  | { ok: false; draft: FormDraft };

/** Reads a posted pool form; `withName` for a new pool. */
export function readPoolForm(form: Form, withName: boolean): PoolRequest {
  const values = {
    name: text(form, "name").trim(),
    description: text(form, "description"),
    concurrency_limit: text(form, "concurrency_limit").trim(),
  };
  const errors: Record<string, string> = {};
  if (withName) {
    if (values.name === "") errors["name"] = "Give the pool a name";
    else if (values.name.length > 200 || !POOL_NAME.test(values.name)) {
      errors["name"] =
        `Name "${values.name}" may hold letters, digits, _ . : and - only (200 at most)`;
    }
  }
  let concurrencyLimit: number | null = null;
  if (values.concurrency_limit !== "") {
    const n = Number(values.concurrency_limit);
    if (!Number.isInteger(n) || n < 0 || n > MAX_LIMIT) {
      errors["concurrency_limit"] = `Concurrency limit must be a whole number from 0 to ${
        MAX_LIMIT.toLocaleString("en-US")
      }, got "${values.concurrency_limit}"`;
    } else concurrencyLimit = n;
  }
  if (Object.keys(errors).length > 0) return { ok: false, draft: { values, errors } };
  const description = values.description.trim() === "" ? null : values.description.trim();
  return { ok: true, name: values.name, description, concurrencyLimit };
}

/** Registers the work pool pages and forms on `pages`. */
export function workPoolPages(pages: Hono, kit: PageKit, service: DeploymentService): void {
  const { engine } = kit.deps;
  const toPool = (c: Context, name: string, ok: boolean, message: string) =>
    c.redirect(`${workPoolHref(name)}?flash=${kit.flashes.put(ok, message)}`, 303);

  const listPage = async (c: Context, ctx: PageContext, draft?: FormDraft, status?: 400) =>
    sendPage(
      c,
      WorkPoolsPage({
        ctx,
        pools: await workPoolRows(engine, service),
        ...(draft ? { draft } : {}),
        flash: kit.flashes.take(c.req.query("flash") ?? null),
      }),
      status,
    );
  const poolPage = (
    c: Context,
    ctx: PageContext,
    pool: WorkPool,
    settings = poolDraft(pool),
    status?: 400,
    queueForms: { queueDraft?: FormDraft; queueEdit?: { queue: string; draft: FormDraft } } = {},
  ) =>
    sendPage(
      c,
      WorkPoolPage({
        ctx,
        pool,
        ...workPoolData(engine, service, pool.name, ctx.now),
        flash: kit.flashes.take(c.req.query("flash") ?? null),
        settings,
        queues: listWorkQueues(engine, pool.name),
        ...queueForms,
      }),
      status,
    );

  pages.get("/work-pools", kit.page((c, ctx) => listPage(c, ctx)));

  pages.post(
    "/work-pools",
    kit.form(async (c, form, ctx) => {
      const request = readPoolForm(form, true);
      if (!request.ok) return await listPage(c, ctx, request.draft, 400);
      try {
        await createWorkPool(engine, {
          name: request.name,
          description: request.description,
          concurrencyLimit: request.concurrencyLimit,
        });
      } catch (error) {
        if (!(error instanceof ConflictError || error instanceof DeploymentError)) throw error;
        const values = {
          name: request.name,
          description: text(form, "description"),
          concurrency_limit: text(form, "concurrency_limit"),
        };
        return await listPage(c, ctx, { values, errors: { name: error.message } }, 400);
      }
      return toPool(c, request.name, true, `Work pool "${request.name}" created.`);
    }),
  );

  pages.get(
    "/work-pools/:name",
    kit.page(async (c, ctx) => poolPage(c, ctx, await getWorkPool(engine, c.req.param("name")!))),
  );

  pages.post(
    "/work-pools/:name/settings",
    kit.form(async (c, form, ctx) => {
      const pool = await getWorkPool(engine, c.req.param("name") ?? "");
      const request = readPoolForm(form, false);
      if (!request.ok) return poolPage(c, ctx, pool, request.draft, 400);
      await updateWorkPool(engine, pool.name, {
        description: request.description,
        concurrencyLimit: request.concurrencyLimit,
      });
      return toPool(c, pool.name, true, "Settings saved.");
    }),
  );

  for (const [action, paused] of [["pause", true], ["resume", false]] as const) {
    pages.post(
      `/work-pools/:name/${action}`,
      kit.form(async (c) => {
        const pool = await updateWorkPool(engine, c.req.param("name") ?? "", { paused });
        return toPool(
          c,
          pool.name,
          true,
          paused
            ? "Paused: workers claim no runs from this pool; its queue waits."
            : "Resumed: workers claim runs from this pool again.",
        );
      }),
    );
  }

  pages.post(
    "/work-pools/:name/delete",
    kit.form(async (c) => {
      const name = c.req.param("name") ?? "";
      try {
        await deleteWorkPool(engine, name);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        return toPool(c, name, false, `${error.message}; nothing was deleted.`);
      }
      return c.redirect(
        `/work-pools?flash=${kit.flashes.put(true, `Work pool "${name}" deleted.`)}`,
        303,
      );
    }),
  );

  // Work queues: create, settings, pause / resume, delete; through the same
  // engine functions as /api/work-pools/{pool}/queues.
  const toQueues = (c: Context, pool: string, ok: boolean, message: string) =>
    c.redirect(`${workPoolHref(pool)}?flash=${kit.flashes.put(ok, message)}#queues`, 303);

  pages.post(
    "/work-pools/:name/queues",
    kit.form(async (c, form, ctx) => {
      const pool = await getWorkPool(engine, c.req.param("name") ?? "");
      const request = readQueueForm(form, true);
      const again = (queueDraft: FormDraft) =>
        poolPage(c, ctx, pool, undefined, 400, { queueDraft });
      if (!request.ok) return again(request.draft);
      try {
        await createWorkQueue(engine, pool.name, request.name, request.input);
      } catch (error) {
        if (!(error instanceof ConflictError || error instanceof InvalidArgumentError)) throw error;
        return again({ values: queueValues(form, true), errors: { name: error.message } });
      }
      return toQueues(c, pool.name, true, `Work queue "${request.name}" created.`);
    }),
  );

  pages.post(
    "/work-pools/:name/queues/:queue/settings",
    kit.form(async (c, form, ctx) => {
      const pool = await getWorkPool(engine, c.req.param("name") ?? "");
      const queue = c.req.param("queue") ?? "";
      const request = readQueueForm(form, false);
      if (!request.ok) {
        return poolPage(c, ctx, pool, undefined, 400, {
          queueEdit: { queue, draft: request.draft },
        });
      }
      await updateWorkQueue(engine, pool.name, queue, request.input);
      return toQueues(c, pool.name, true, `Work queue "${queue}" saved.`);
    }),
  );

  for (const [action, paused] of [["pause", true], ["resume", false]] as const) {
    pages.post(
      `/work-pools/:name/queues/:queue/${action}`,
      kit.form(async (c) => {
        const pool = c.req.param("name") ?? "";
        const queue = c.req.param("queue") ?? "";
        await updateWorkQueue(engine, pool, queue, { paused });
        return toQueues(
          c,
          pool,
          true,
          paused
            ? `Work queue "${queue}" paused: workers claim none of its runs.`
            : `Work queue "${queue}" resumed.`,
        );
      }),
    );
  }

  pages.post(
    "/work-pools/:name/queues/:queue/delete",
    kit.form(async (c) => {
      const pool = c.req.param("name") ?? "";
      const queue = c.req.param("queue") ?? "";
      try {
        await deleteWorkQueue(engine, pool, queue);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        return toQueues(c, pool, false, `${error.message}; nothing was deleted.`);
      }
      return toQueues(c, pool, true, `Work queue "${queue}" deleted.`);
    }),
  );
}

function queueValues(form: Form, withName: boolean): Record<string, string> {
  return {
    ...(withName ? { name: text(form, "name").trim() } : {}),
    priority: text(form, "priority").trim(),
    concurrency_limit: text(form, "concurrency_limit").trim(),
  };
}

/** What a posted queue form asks for, or the draft that says why not. */
export type QueueRequest =
  | { ok: true; name: string; input: WorkQueueInput }
  | { ok: false; draft: FormDraft };

/** Reads a posted queue form; `withName` for a new queue. */
export function readQueueForm(form: Form, withName: boolean): QueueRequest {
  const values = queueValues(form, withName);
  const errors: Record<string, string> = {};
  const name = values["name"] ?? "";
  if (withName) {
    if (name === "") errors["name"] = "Give the queue a name";
    else if (name.length > 200 || !POOL_NAME.test(name)) {
      errors["name"] = `Name "${name}" may hold letters, digits, _ . : and - only (200 at most)`;
    }
  }
  const input: WorkQueueInput = {};
  const priority = values["priority"]!;
  if (priority !== "") {
    const n = Number(priority);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
      errors["priority"] = `Priority must be a whole number from 1 to ${
        MAX_LIMIT.toLocaleString("en-US")
      }, got "${priority}"`;
    } else input.priority = n;
  } else if (!withName) {
    errors["priority"] = "Give the queue a priority";
  }
  const limit = values["concurrency_limit"]!;
  if (limit === "") input.concurrencyLimit = null;
  else {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0 || n > MAX_LIMIT) {
      errors["concurrency_limit"] = `Concurrency limit must be a whole number from 0 to ${
        MAX_LIMIT.toLocaleString("en-US")
      }, got "${limit}"`;
    } else input.concurrencyLimit = n;
  }
  if (Object.keys(errors).length > 0) return { ok: false, draft: { values, errors } };
  return { ok: true, name, input };
}
