/**
 * Artifacts: listing per flow run and task run, creation (keyed artifacts
 * get the next version) and progress updates.
 *
 * @module
 */
import { z } from "zod";
import {
  type Artifact,
  createArtifact,
  getArtifact,
  listArtifacts,
  NotFoundError,
  updateProgressArtifact,
} from "../../engine/mod.ts";
import { toApiArtifact } from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { runOfKind } from "./lookup.ts";
import type { ApiRouter } from "./router.ts";
import { ApiArtifactSchema, ARTIFACT_TYPES, JsonSchema } from "../../wire/run_schemas.ts";

/** The answer of artifact listings. */
export const ArtifactList = z.object({
  items: z.array(ApiArtifactSchema),
  next_cursor: z.null(),
});

const NewArtifactBody = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, {
    error: "must be lowercase letters, digits and dashes (at most 100)",
  }).nullable().optional(),
  type: z.enum(ARTIFACT_TYPES),
  description: z.string().max(10_000).nullable().optional(),
  data: JsonSchema,
  flow_run_id: z.string().min(1),
  task_run_id: z.string().min(1).nullable().optional(),
});

/** Lists the artifacts of a flow run, optionally of one of its task runs. */
export function artifactItems(deps: AppDeps, flowRunId: string, taskRunId?: string) {
  const query = { flowRunId, ...(taskRunId !== undefined ? { taskRunId } : {}) };
  return { items: listArtifacts(deps.engine.reader, query).map(toApiArtifact), next_cursor: null };
}

/** Registers `/artifacts` and `/artifacts/:id`. */
export function artifactRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine, clock } = deps;
  const existing = (id: string): Artifact => {
    const artifact = getArtifact(engine.reader, id);
    if (!artifact) {
      throw new NotFoundError(`Artifact "${id}" does not exist`, { code: "artifact_not_found" });
    }
    return artifact;
  };

  router.add({
    method: "post",
    path: "/artifacts",
    tag: "Artifacts",
    summary: "Create an artifact; one with an existing key becomes its next version",
    body: NewArtifactBody,
    status: 201,
    response: ApiArtifactSchema,
  }, async (c, { body }) => {
    const flowRun = runOfKind(engine, body.flow_run_id, "flow");
    if (body.task_run_id) {
      const taskRun = runOfKind(engine, body.task_run_id, "task");
      if (taskRun.parentId !== flowRun.id) {
        throw new HttpError(400, "invalid_request", "Task run does not belong to the flow run", {
          details: [{ path: "task_run_id", message: `is a task run of "${taskRun.parentId}"` }],
        });
      }
    }
    const artifact = await createArtifact(engine, clock, {
      type: body.type,
      data: body.data,
      flowRunId: flowRun.id,
      key: body.key ?? null,
      description: body.description ?? null,
      taskRunId: body.task_run_id ?? null,
    });
    return c.json(toApiArtifact(artifact), 201);
  });

  router.add({
    method: "get",
    path: "/artifacts/:id",
    tag: "Artifacts",
    summary: "An artifact",
    params: { id: "Artifact id" },
    response: ApiArtifactSchema,
  }, (c, { params }) => c.json(toApiArtifact(existing(params.id!))));

  router.add({
    method: "patch",
    path: "/artifacts/:id",
    tag: "Artifacts",
    summary: "Set a progress artifact's value",
    params: { id: "Artifact id" },
    body: z.strictObject({ progress: z.number().min(0).max(100) }),
    response: ApiArtifactSchema,
  }, async (c, { params, body }) => {
    const artifact = existing(params.id!);
    if (artifact.type !== "progress") {
      throw new HttpError(
        409,
        "conflict",
        `Artifact "${artifact.id}" is a ${artifact.type} artifact, not a progress artifact`,
      );
    }
    return c.json(
      toApiArtifact(await updateProgressArtifact(engine, clock, artifact.id, body.progress)),
    );
  });
}
