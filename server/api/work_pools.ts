/**
 * Work pools and claiming: a worker claims due runs of a pool with a lease
 * (200 with the runs, 204 when there is none), optionally long-polling up
 * to `wait_ms`. The claim runs in one store transaction, so exactly one
 * claimer wins each run, across processes sharing a SQLite file too.
 *
 * @module
 */
import { z } from "zod";
import { toApiRun } from "../../wire/mod.ts";
import { ClaimSchema, PoolSchema, WorkerSchema } from "../../wire/mod.ts";
import {
  claimRuns,
  createWorkPool,
  createWorkQueue,
  DEFAULT_LEASE_SECONDS,
  deleteWorkPool,
  deleteWorkQueue,
  getWorkPool,
  listWorkers,
  listWorkPools,
  listWorkQueues,
  parseJobVariables,
  updateWorkPool,
  updateWorkQueue,
  type WorkQueueInput,
} from "../../engine/deployments/mod.ts";
import { type Json, NotFoundError } from "../../engine/mod.ts";
import {
  toApiClaim,
  toApiDeployment,
  toApiWorker,
  toApiWorkPool,
  toApiWorkQueue,
  WorkQueueSchema,
} from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { pageOf } from "../../wire/schemas.ts";
import { ApiRunSchema, JsonSchema } from "../../wire/run_schemas.ts";

/** Longest long-poll a claim may ask for. */
export const MAX_WAIT_MS = 30_000;

const Name = z.string().min(1).max(200).regex(/^[A-Za-z0-9_][\w.:-]*$/, {
  error: "may hold letters, digits, _ . : and - only",
});

const ClaimBody = z.strictObject({
  worker_id: z.string().min(1).max(200),
  worker_name: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(100).optional().meta({ description: "Default 1" }),
  lease_seconds: z.number().int().min(1).max(3600).optional()
    .meta({ description: `Default ${DEFAULT_LEASE_SECONDS}` }),
  wait_ms: z.number().int().min(0).max(MAX_WAIT_MS).optional()
    .meta({ description: "Long-poll: wait up to this long for a run; default 0" }),
  work_queues: z.array(Name).max(100).optional()
    .meta({ description: "Claim only from these queues of the pool; default all" }),
});

const BaseJobVariables = z.record(z.string(), z.json()).meta({
  description: "env, working_directory, command_prefix of every run of the pool " +
    "(deployments and runs override them)",
});

const QueueFields = {
  priority: z.number().int().min(1).optional()
    .meta({ description: "Lower numbers are claimed from first" }),
  concurrency_limit: z.number().int().min(0).nullable().optional(),
  paused: z.boolean().optional(),
  description: z.string().nullable().optional(),
};

function queueInput(body: {
  priority?: number | undefined;
  concurrency_limit?: number | null | undefined;
  paused?: boolean | undefined;
  description?: string | null | undefined;
}): WorkQueueInput {
  return {
    ...(body.priority !== undefined ? { priority: body.priority } : {}),
    ...(body.concurrency_limit !== undefined ? { concurrencyLimit: body.concurrency_limit } : {}),
    ...(body.paused !== undefined ? { paused: body.paused } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
  };
}

const TAG = "Work pools";
const NAME = { name: "Work pool name" };

/** Resolves after `ms`, or earlier when the engine commits an event or `signal` aborts. */
function nextChange(deps: AppDeps, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = deps.engine.subscribe(done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Registers the work pool routes. */
export function workPoolRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;

  router.add(
    {
      method: "get",
      path: "/work-pools",
      tag: TAG,
      summary: "List work pools",
      response: pageOf(PoolSchema),
    },
    async (c) =>
      c.json({ items: (await listWorkPools(engine)).map(toApiWorkPool), next_cursor: null }),
  );

  router.add({
    method: "post",
    path: "/work-pools",
    tag: TAG,
    summary: "Create a work pool (type process)",
    body: z.strictObject({
      name: Name,
      type: z.literal("process").optional(),
      description: z.string().nullable().optional(),
      paused: z.boolean().optional(),
      concurrency_limit: z.number().int().min(0).nullable().optional()
        .meta({ description: "Most claimed runs of the pool at once; default no limit" }),
      base_job_variables: BaseJobVariables.optional(),
    }),
    status: 201,
    response: PoolSchema,
  }, async (c, { body }) => {
    const pool = await createWorkPool(engine, {
      name: body.name,
      ...(body.concurrency_limit != null ? { concurrencyLimit: body.concurrency_limit } : {}),
      ...(body.base_job_variables
        ? { baseJobVariables: parseJobVariables(body.base_job_variables, "base_job_variables") }
        : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.paused !== undefined ? { paused: body.paused } : {}),
    });
    return c.json(toApiWorkPool(pool), 201);
  });

  router.add({
    method: "get",
    path: "/work-pools/:name",
    tag: TAG,
    summary: "A work pool",
    params: NAME,
    response: PoolSchema,
  }, async (c, { params }) => c.json(toApiWorkPool(await getWorkPool(engine, params.name!))));

  router.add(
    {
      method: "patch",
      path: "/work-pools/:name",
      tag: TAG,
      summary: "Pause, resume or describe a work pool",
      params: NAME,
      body: z.strictObject({
        description: z.string().nullable().optional(),
        paused: z.boolean().optional(),
        concurrency_limit: z.number().int().min(0).nullable().optional(),
        base_job_variables: BaseJobVariables.optional(),
      }),
      response: PoolSchema,
    },
    async (c, { params, body }) =>
      c.json(toApiWorkPool(
        await updateWorkPool(engine, params.name!, {
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.paused !== undefined ? { paused: body.paused } : {}),
          ...(body.concurrency_limit !== undefined
            ? { concurrencyLimit: body.concurrency_limit }
            : {}),
          ...(body.base_job_variables
            ? {
              baseJobVariables: parseJobVariables(body.base_job_variables, "base_job_variables"),
            }
            : {}),
        }),
      )),
  );

  router.add({
    method: "delete",
    path: "/work-pools/:name",
    tag: TAG,
    summary: "Delete a work pool (409 while live deployments use it)",
    params: NAME,
    status: 204,
  }, async (c, { params }) => {
    await deleteWorkPool(engine, params.name!);
    return c.body(null, 204);
  });

  workQueueRoutes(router, deps);

  router.add({
    method: "get",
    path: "/work-pools/:name/workers",
    tag: TAG,
    summary: "Workers of a pool with their status (OFFLINE after 120 s without heartbeat)",
    params: NAME,
    response: pageOf(WorkerSchema),
  }, async (c, { params }) => {
    await getWorkPool(engine, params.name!);
    return c.json({ items: listWorkers(engine, params.name!).map(toApiWorker), next_cursor: null });
  });

  router.add({
    method: "post",
    path: "/work-pools/:name/claim",
    tag: TAG,
    summary: "Claim due runs of the pool with a lease; 204 when there is none",
    description:
      "Claimed runs are PENDING; start them with a RUNNING transition, renew the lease " +
      "with /workers/{id}/claims/{run_id}/renew while they run, release it when they end. " +
      "A paused pool answers 204.",
    params: NAME,
    body: ClaimBody,
    response: ClaimAnswer,
  }, async (c, { params, body }) => {
    const answer = await claimAnswer(deps, [params.name!], body);
    return answer ? c.json(answer) : c.body(null, 204);
  });

  router.add({
    method: "post",
    path: "/claims",
    tag: TAG,
    summary: "Claim due runs of several pools with a lease; 204 when there is none",
    description:
      "The pools are tried in the order given; one long-poll covers them all (serve() of " +
      "several deployments waits on one request).",
    body: ClaimBody.extend({ work_pools: z.array(Name).min(1).max(100) }),
    response: ClaimAnswer,
  }, async (c, { body }) => {
    const answer = await claimAnswer(deps, body.work_pools, body);
    return answer ? c.json(answer) : c.body(null, 204);
  });
}

const ClaimAnswer = z.object({
  runs: z.array(z.object({
    run: ApiRunSchema,
    claim: ClaimSchema,
    deployment: z.record(z.string(), JsonSchema),
    job_variables: z.record(z.string(), JsonSchema).optional().meta({
      description:
        "What the run's process gets: pool base, deployment and run job variables merged",
    }),
  })),
});

// Claims from `pools` in order until `limit` runs, waiting for a commit (or
// the time a due run needs) up to `wait_ms` while there is none.
async function claimAnswer(
  deps: AppDeps,
  pools: readonly string[],
  body: z.output<typeof ClaimBody>,
) {
  const deadline = Date.now() + (body.wait_ms ?? 0);
  // Not the request's signal: reading it warns under Deno.serve; waits are bounded anyway.
  const signal = deps.signal ?? new AbortController().signal;
  const limit = body.limit ?? 1;
  while (true) {
    const claimed = [];
    for (const pool of pools) {
      if (claimed.length >= limit) break;
      claimed.push(
        ...await claimRuns(deps.engine, pool, {
          workerId: body.worker_id,
          ...(body.worker_name ? { workerName: body.worker_name } : {}),
          limit: limit - claimed.length,
          leaseSeconds: body.lease_seconds ?? DEFAULT_LEASE_SECONDS,
          ...(body.work_queues ? { queues: body.work_queues } : {}),
        }),
      );
    }
    if (claimed.length > 0) {
      return {
        runs: claimed.map((item) => ({
          run: toApiRun(item.run),
          claim: toApiClaim(item.claim),
          deployment: toApiDeployment(item.deployment),
          job_variables: item.jobVariables as unknown as Record<string, Json>,
        })),
      };
    }
    const left = deadline - Date.now();
    if (left <= 0 || signal.aborted) return undefined;
    // A due run appears through an event (a new or rescheduled run) or with time.
    await nextChange(deps, Math.min(left, 1000), signal);
  }
}

const QUEUE = { name: "Work pool name", queue: "Work queue name" };

// The queues of a pool: list, create, read, change, pause/resume, delete.
function workQueueRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  const one = (pool: string, name: string) => {
    const queue = listWorkQueues(engine, pool).find((q) => q.name === name);
    if (!queue) {
      throw new NotFoundError(`Work queue "${name}" does not exist in work pool "${pool}"`, {
        code: "work_queue_not_found",
      });
    }
    return toApiWorkQueue(pool, queue);
  };

  router.add({
    method: "get",
    path: "/work-pools/:name/queues",
    tag: TAG,
    summary: "The queues of a pool, highest priority (lowest number) first",
    params: NAME,
    response: pageOf(WorkQueueSchema),
  }, (c, { params }) =>
    c.json({
      items: listWorkQueues(engine, params.name!).map((q) => toApiWorkQueue(params.name!, q)),
      next_cursor: null,
    }));

  router.add({
    method: "post",
    path: "/work-pools/:name/queues",
    tag: TAG,
    summary: "Create a queue in a pool (priority defaults to after the others)",
    params: NAME,
    body: z.strictObject({ name: Name, ...QueueFields }),
    status: 201,
    response: WorkQueueSchema,
  }, async (c, { params, body }) => {
    const queue = await createWorkQueue(engine, params.name!, body.name, queueInput(body));
    return c.json(toApiWorkQueue(params.name!, queue), 201);
  });

  router.add({
    method: "get",
    path: "/work-pools/:name/queues/:queue",
    tag: TAG,
    summary: "A queue of a pool",
    params: QUEUE,
    response: WorkQueueSchema,
  }, (c, { params }) => c.json(one(params.name!, params.queue!)));

  router.add({
    method: "patch",
    path: "/work-pools/:name/queues/:queue",
    tag: TAG,
    summary: "Change a queue's priority, concurrency limit, paused flag or description",
    params: QUEUE,
    body: z.strictObject(QueueFields),
    response: WorkQueueSchema,
  }, async (c, { params, body }) => {
    const queue = await updateWorkQueue(engine, params.name!, params.queue!, queueInput(body));
    return c.json(toApiWorkQueue(params.name!, queue));
  });

  for (const [action, paused] of [["pause", true], ["resume", false]] as const) {
    router.add({
      method: "post",
      path: `/work-pools/:name/queues/:queue/${action}`,
      tag: TAG,
      summary: paused ? "Pause a queue: workers claim nothing from it" : "Resume a queue",
      params: QUEUE,
      bodyOptional: true,
      body: z.strictObject({}),
      response: WorkQueueSchema,
    }, async (c, { params }) => {
      const queue = await updateWorkQueue(engine, params.name!, params.queue!, { paused });
      return c.json(toApiWorkQueue(params.name!, queue));
    });
  }

  router.add({
    method: "delete",
    path: "/work-pools/:name/queues/:queue",
    tag: TAG,
    summary: "Delete a queue (409 for the default queue or while live deployments use it)",
    params: QUEUE,
    status: 204,
  }, async (c, { params }) => {
    await deleteWorkQueue(engine, params.name!, params.queue!);
    return c.body(null, 204);
  });
}
