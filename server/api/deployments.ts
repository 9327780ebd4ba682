/**
 * Deployments: CRUD, look-up by name (former names too), `apply` of many
 * (upsert, prune, dry run), pause/resume, runs with parameters and an
 * idempotency key, the deployment's runs, and next times of schedules.
 *
 * @module
 */
import { z } from "zod";
import {
  checkSchedule,
  type DocumentReader,
  type Json,
  nextRuns,
  StateType,
} from "../../engine/mod.ts";
import { toApiRun } from "../../wire/mod.ts";
import { DeploymentSchema } from "../../wire/mod.ts";
import {
  type ApplyResult,
  type Deployment,
  DeploymentService,
  parseJobVariables,
  scheduleMisses,
  triggerDeploymentRun,
} from "../../engine/deployments/mod.ts";
import {
  DeploymentSpecSchema,
  fromDeploymentSpec,
  fromScheduleSpec,
  ScheduleSpecSchema,
  toApiDeployment,
} from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import type { ApiRouter } from "./router.ts";
import {
  CursorParam,
  IsoTimeText,
  LimitParam,
  listParam,
  pageOf,
  StateSchema,
} from "../../wire/schemas.ts";
import { ApiRunSchema } from "../../wire/run_schemas.ts";

const PatchBody = DeploymentSpecSchema.partial();

const ApplyBody = z.strictObject({
  deployments: z.array(DeploymentSpecSchema).max(1000),
  prune: z.boolean().optional().meta({ description: "Delete live deployments not listed" }),
  dry_run: z.boolean().optional().meta({ description: "Report what would change; write nothing" }),
});

const ApplyAnswer = z.object({
  created: z.array(DeploymentSchema),
  updated: z.array(DeploymentSchema),
  unchanged: z.array(DeploymentSchema),
  pruned: z.array(DeploymentSchema),
  kept: z.array(z.object({ deployment: DeploymentSchema, reason: z.string() })),
  dry_run: z.boolean(),
});

const RunBody = z.strictObject({
  parameters: z.record(z.string(), z.json()).optional(),
  idempotency_key: z.string().min(1).max(500).optional()
    .meta({ description: "The same key for the same deployment returns the same run" }),
  tags: z.array(z.string()).optional(),
  scheduled_time: z.string().refine((t) => !Number.isNaN(Date.parse(t)), {
    error: "must be an ISO-8601 time",
  }).optional().meta({ description: "When the run should start; default now" }),
  parent_run_id: z.string().min(1).optional()
    .meta({ description: "Flow run this run is a child of (runDeployment)" }),
  run_name: z.string().min(1).max(500).optional(),
  job_variables: z.record(z.string(), z.json()).optional().meta({
    description: "env, working_directory, command_prefix of this run, over the deployment's " +
      "and its work pool's",
  }),
});

const ListQuery = z.strictObject({
  work_pool: z.string().min(1).optional(),
  limit: LimitParam.optional(),
  cursor: CursorParam.optional(),
});

const RunsQuery = z.strictObject({
  state: listParam(StateSchema, "Only runs in these states").optional(),
  limit: LimitParam.optional(),
  cursor: CursorParam.optional(),
});

const NextQuery = z.strictObject({
  count: z.coerce.number().int().min(1).max(100).optional(),
});

const PreviewBody = z.strictObject({
  schedule: ScheduleSpecSchema,
  count: z.number().int().min(1).max(100).optional(),
  after: IsoTimeText.optional().meta({ description: "ISO time; default now" }),
});

const TAG = "Deployments";
const REF = { ref: "Deployment id, name or former name" };

function applyAnswer(result: ApplyResult, dryRun: boolean) {
  return {
    created: result.created.map(toApiDeployment),
    updated: result.updated.map(toApiDeployment),
    unchanged: result.unchanged.map(toApiDeployment),
    pruned: result.pruned.map(toApiDeployment),
    kept: result.kept.map((k) => ({ deployment: toApiDeployment(k.deployment), reason: k.reason })),
    dry_run: dryRun,
  };
}

function nextTimes(docs: DocumentReader, deployment: Deployment, now: number, count: number) {
  const misses = scheduleMisses(docs, deployment);
  return deployment.schedules.map((schedule, i) => ({
    slug: schedule.slug ?? null,
    active: schedule.active,
    next: nextRuns(schedule, now, count).map((t) => new Date(t).toISOString()),
    missed: misses[i]!.missed,
    last_missed: misses[i]!.lastMissed === null
      ? null
      : new Date(misses[i]!.lastMissed!).toISOString(),
  }));
}

/** Registers the deployment routes. */
export function deploymentRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  const deployments = new DeploymentService(engine);

  router.add({
    method: "get",
    path: "/deployments",
    tag: TAG,
    summary: "List live deployments by name",
    query: ListQuery,
    response: pageOf(DeploymentSchema),
  }, (c, { query }) => {
    const page = deployments.list({
      ...(query.work_pool ? { workPool: query.work_pool } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
    });
    return c.json({ items: page.items.map(toApiDeployment), next_cursor: page.nextCursor });
  });

  router.add(
    {
      method: "post",
      path: "/deployments",
      tag: TAG,
      summary: "Create a deployment",
      body: DeploymentSpecSchema,
      status: 201,
      response: DeploymentSchema,
    },
    async (c, { body }) =>
      c.json(toApiDeployment(await deployments.create(fromDeploymentSpec(body))), 201),
  );

  router.add({
    method: "post",
    path: "/deployments/apply",
    tag: TAG,
    summary: "Create or update many deployments (a manifest); optionally prune the rest",
    description: "All entries are validated first: one invalid entry applies nothing (400).",
    body: ApplyBody,
    response: ApplyAnswer,
  }, async (c, { body }) => {
    const result = await deployments.apply(body.deployments.map(fromDeploymentSpec), {
      prune: body.prune ?? false,
      dryRun: body.dry_run ?? false,
    });
    return c.json(applyAnswer(result, body.dry_run ?? false));
  });

  router.add({
    method: "post",
    path: "/schedules/preview",
    tag: TAG,
    summary: "Next times of a schedule (for a schedule editor)",
    body: PreviewBody,
    response: z.object({ next: z.array(z.string()) }),
  }, (c, { body }) => {
    // The same validation as creating a deployment: what previews is what saves.
    const schedule = fromScheduleSpec(body.schedule);
    try {
      checkSchedule(schedule);
    } catch (cause) {
      throw new HttpError(400, "invalid_schedule", (cause as Error).message, { cause });
    }
    const after = body.after ? Date.parse(body.after) : deps.clock.now();
    const next = nextRuns(schedule, after, body.count ?? 5);
    return c.json({ next: next.map((t) => new Date(t).toISOString()) });
  });

  router.add({
    method: "get",
    path: "/deployments/name/:name",
    tag: TAG,
    summary: "A deployment by name or former name",
    params: { name: "Deployment name" },
    response: DeploymentSchema,
  }, (c, { params }) => c.json(toApiDeployment(deployments.get(params.name!))));

  router.add({
    method: "get",
    path: "/deployments/:ref",
    tag: TAG,
    summary: "A deployment",
    params: REF,
    response: DeploymentSchema,
  }, (c, { params }) => c.json(toApiDeployment(deployments.get(params.ref!))));

  router.add({
    method: "patch",
    path: "/deployments/:ref",
    tag: TAG,
    summary: "Change some fields of a deployment (renaming keeps the old name as an alias)",
    params: REF,
    body: PatchBody,
    response: DeploymentSchema,
  }, async (c, { params, body }) => {
    const current = deployments.get(params.ref!);
    const patch = fromDeploymentSpec({
      ...body,
      name: body.name ?? current.name,
      entrypoint: body.entrypoint ?? current.entrypoint,
    });
    return c.json(toApiDeployment(await deployments.update(current.id, patch)));
  });

  router.add({
    method: "delete",
    path: "/deployments/:ref",
    tag: TAG,
    summary: "Soft-delete a deployment (409 while runs are live or a schedule is active)",
    params: REF,
    status: 204,
  }, async (c, { params }) => {
    await deployments.delete(params.ref!);
    return c.body(null, 204);
  });

  for (const [action, paused] of [["pause", true], ["resume", false]] as const) {
    router.add(
      {
        method: "post",
        path: `/deployments/:ref/${action}`,
        tag: TAG,
        summary: paused
          ? "Pause: no new scheduled runs; future scheduled runs are cancelled"
          : "Resume scheduling",
        params: REF,
        bodyOptional: true,
        body: z.strictObject({}),
        response: DeploymentSchema,
      },
      async (c, { params }) =>
        c.json(toApiDeployment(await deployments.setPaused(params.ref!, paused))),
    );
  }

  for (const [action, active] of [["pause", false], ["resume", true]] as const) {
    router.add(
      {
        method: "post",
        path: `/deployments/:ref/schedules/:slug/${action}`,
        tag: TAG,
        summary: active
          ? "Resume one schedule of a deployment, by its slug"
          : "Pause one schedule, by its slug: no new runs from it; its future runs are cancelled",
        params: { ...REF, slug: "The schedule's slug" },
        bodyOptional: true,
        body: z.strictObject({}),
        response: DeploymentSchema,
      },
      async (c, { params }) =>
        c.json(
          toApiDeployment(
            await deployments.setScheduleActive(params.ref!, params.slug!, active),
          ),
        ),
    );
  }

  router.add({
    method: "post",
    path: "/deployments/:ref/run",
    tag: TAG,
    summary: "Create a flow run of the deployment",
    description: "201 with the new run; 200 with the earlier run when the idempotency key was " +
      "seen. With CANCEL_NEW at the concurrency limit the run is CANCELLED at once.",
    params: REF,
    body: RunBody,
    bodyOptional: true,
    status: 201,
    response: ApiRunSchema,
  }, async (c, { params, body }) => {
    const deployment = deployments.get(params.ref!);
    const parent = body.parent_run_id ? engine.getRun(body.parent_run_id) : undefined;
    const { run, created } = await triggerDeploymentRun(engine, deployment, {
      ...(body.parameters ? { parameters: body.parameters as Record<string, Json> } : {}),
      ...(body.idempotency_key !== undefined ? { idempotencyKey: body.idempotency_key } : {}),
      ...(body.tags ? { tags: body.tags } : {}),
      ...(body.scheduled_time ? { expectedStartTime: Date.parse(body.scheduled_time) } : {}),
      ...(body.run_name ? { runName: body.run_name } : {}),
      ...(body.job_variables
        ? { jobVariables: parseJobVariables(body.job_variables, "job_variables") }
        : {}),
      ...(parent ? { parent: { id: parent.id, rootId: parent.rootId, depth: parent.depth } } : {}),
    });
    return c.json(toApiRun(run), created ? 201 : 200);
  });

  router.add({
    method: "get",
    path: "/deployments/:ref/runs",
    tag: TAG,
    summary: "Flow runs of a deployment, newest first",
    params: REF,
    query: RunsQuery,
    response: pageOf(ApiRunSchema),
  }, (c, { params, query }) => {
    const page = deployments.runs(params.ref!, {
      ...(query.state ? { states: query.state as StateType[] } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
    });
    return c.json({ items: page.items.map(toApiRun), next_cursor: page.nextCursor });
  });

  router.add({
    method: "get",
    path: "/deployments/:ref/schedules/next",
    tag: TAG,
    summary: "Next times of each schedule of a deployment",
    params: REF,
    query: NextQuery,
    response: z.object({
      schedules: z.array(z.object({
        slug: z.string().nullable(),
        active: z.boolean(),
        next: z.array(z.string()),
        /** Slots that got no run by the schedule's catch-up policy (missed while no scheduler ran). */
        missed: z.number().int(),
        /** The newest of them. */
        last_missed: z.string().nullable(),
      })),
    }),
  }, (c, { params, query }) => {
    const deployment = deployments.get(params.ref!);
    return c.json({
      schedules: nextTimes(engine.reader, deployment, deps.clock.now(), query.count ?? 5),
    });
  });
}
