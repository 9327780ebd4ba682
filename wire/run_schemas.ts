/**
 * Zod schemas of the wire shapes: the single definition of each shape; the
 * TypeScript types in `wire/runs.ts` are derived from them. The inputs are
 * validated with them (unknown fields and wrong types are rejected), the
 * outputs are documented with them.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import { MAX_RUN_DEPTH } from "../engine/mod.ts";
import { IsoTimeText, StateSchema } from "./schemas.ts";

/** Any JSON value. */
export const JsonSchema: z.ZodJSONSchema = z.json().meta({ id: "Json" });

/**
 * Any JSON value, as an input of the hot remote endpoints: the body went
 * through `JSON.parse`, so every value in it is JSON already and only a
 * missing one needs rejecting; `z.json()` would walk the value again (a few
 * µs per run's parameters, the largest part of validating a batch).
 */
const JsonInput = z.custom<z.output<typeof JsonSchema>>(
  (value) => value !== undefined,
  { error: "Invalid input: expected a JSON value" },
).meta({ description: "Any JSON value" });

const Id = z.string().min(1).max(200);
const KindSchema = z.enum(["flow", "task"]);
const UpstreamEdgeSchema = z.strictObject({
  runId: Id,
  kind: z.enum(["data", "waitFor"]),
}).meta({ id: "UpstreamEdge" });

/** A run on the wire (`ApiRun`). */
export const ApiRunSchema = z.object({
  id: z.string(),
  kind: KindSchema,
  name: z.string(),
  flow_name: z.string(),
  run_name: z.string(),
  parent_id: z.string().nullable(),
  root_id: z.string(),
  parent_task_run_id: z.string().nullable(),
  depth: z.number().int(),
  deployment_id: z.string().nullable(),
  lineage_id: z.string(),
  attempt: z.number().int(),
  state: StateSchema,
  state_name: z.string(),
  version: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  expected_start_time: z.string().nullable(),
  start_time: z.string().nullable(),
  end_time: z.string().nullable(),
  run_count: z.number().int(),
  total_run_time_ms: z.number(),
  task_key: z.string().nullable(),
  map_index: z.number().int().nullable(),
  tags: z.array(z.string()),
  parameters: JsonSchema,
  upstream: z.array(UpstreamEdgeSchema),
  message: z.string().nullable(),
}).meta({ id: "Run" });

/** A run to create (`ApiNewRun`); a caller-given `id` makes creation idempotent. */
export const ApiNewRunSchema = z.strictObject({
  id: Id.optional(),
  kind: KindSchema,
  name: z.string().min(1).max(500),
  flow_name: z.string().min(1).max(500).optional(),
  run_name: z.string().min(1).max(500).optional(),
  parent_id: Id.nullable().optional(),
  root_id: Id.nullable().optional(),
  parent_task_run_id: Id.nullable().optional(),
  depth: z.number().int().min(0).max(MAX_RUN_DEPTH).optional(),
  deployment_id: Id.nullable().optional(),
  lineage_id: Id.nullable().optional(),
  attempt: z.number().int().min(1).optional(),
  state: StateSchema.optional(),
  state_name: z.string().min(1).max(200).optional(),
  expected_start_time: IsoTimeText.nullable().optional(),
  task_key: z.string().max(500).nullable().optional(),
  map_index: z.number().int().min(0).nullable().optional(),
  tags: z.array(z.string().min(1).max(200)).optional(),
  parameters: JsonInput.optional(),
  upstream: z.array(UpstreamEdgeSchema).optional(),
  flow_version: z.string().min(1).max(200).nullable().optional(),
}).meta({ id: "NewRun" });

/** An event on the wire (`ApiEvent`). */
export const ApiEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  run_id: z.string(),
  run_kind: KindSchema,
  from: StateSchema.nullable(),
  to: StateSchema,
  state_name: z.string(),
  token: z.string(),
  version: z.number().int(),
  kind: z.string(),
  at: z.string(),
  rules: z.array(z.string()),
  data: z.record(z.string(), JsonSchema).nullable(),
}).meta({ id: "Event" });

/** A log line on the wire (`ApiLog`); `id` is assigned by the server and ignored on input. */
export const ApiLogSchema = z.strictObject({
  id: z.number().int().optional(),
  flow_run_id: Id,
  task_run_id: Id.nullable(),
  level: z.number().int().min(0).max(100),
  name: z.string().max(500),
  message: z.string(),
  at: IsoTimeText,
}).meta({ id: "Log" });

/** A proposal on the wire (`ApiProposal`). */
export const ApiProposalSchema = z.strictObject({
  run_id: Id,
  to: StateSchema,
  name: z.string().min(1).max(200).optional(),
  token: z.string().min(1).max(500),
  expected_version: z.number().int().min(1).optional(),
  kind: z.string().min(1).max(200),
  data: z.record(z.string(), JsonInput).optional(),
}).meta({ id: "Proposal" });

/** The answer to one proposal (`ApiProposalResult`). */
export const ApiProposalResultSchema = z.object({
  status: z.enum(["accepted", "rejected", "wait", "aborted", "duplicate"]),
  state: StateSchema,
  state_name: z.string(),
  version: z.number().int(),
  reason: z.string().optional(),
  retry_after_ms: z.number().optional(),
  seq: z.number().int().optional(),
  data: z.record(z.string(), JsonSchema).optional(),
  message: z.string().nullable().optional().meta({
    description: "The run's message as the answer leaves it",
  }),
}).meta({ id: "ProposalResult" });

/** The kinds of artifact. */
export const ARTIFACT_TYPES = [
  "markdown",
  "table",
  "link",
  "image",
  "progress",
  "result",
] as const;

/** An artifact on the wire (`ApiArtifact`). */
export const ApiArtifactSchema = z.object({
  id: z.string(),
  key: z.string().nullable(),
  version: z.number().int(),
  type: z.enum(ARTIFACT_TYPES),
  description: z.string().nullable(),
  data: JsonSchema,
  flow_run_id: z.string(),
  task_run_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: "Artifact" });

/** Items one batch request may carry at most, per list. */
export const MAX_BATCH = 10_000;

/** An item the engine refused, in place of its answer; `status` is what it would answer alone. */
export const ApiItemErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), status: z.number().int().optional() }),
}).meta({ id: "ItemError" });

/** {@linkcode ApiItemErrorSchema} as a type. */
export type ApiItemError = z.output<typeof ApiItemErrorSchema>;

/** The body of `POST /api/batch`: what the remote control plane sends in one round trip. */
export const ApiBatchSchema = z.strictObject({
  runs: z.array(ApiNewRunSchema).max(MAX_BATCH).optional(),
  proposals: z.array(ApiProposalSchema).max(MAX_BATCH).optional(),
  logs: z.array(ApiLogSchema).max(MAX_BATCH).optional(),
}).meta({ id: "Batch" });

/** The answer of `POST /api/batch`: one entry per run and proposal, in order. */
export const ApiBatchAnswerSchema = z.object({
  runs: z.array(z.union([ApiRunSchema, ApiItemErrorSchema])),
  results: z.array(z.union([ApiProposalResultSchema, ApiItemErrorSchema])),
  logs: z.object({
    accepted: z.number().int(),
    rejected: z.array(z.object({ index: z.number().int(), error: ApiItemErrorSchema.shape.error })),
  }),
}).meta({ id: "BatchAnswer" });
