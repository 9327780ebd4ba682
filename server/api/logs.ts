/**
 * Log listings of flow runs and task runs, paged by log id.
 *
 * @module
 */
import { z } from "zod";
import { type Engine, type LogQuery } from "../../engine/mod.ts";
import { toApiLog } from "../../wire/mod.ts";
import { LevelParam, LimitParam, pageOf, SeqParam } from "../../wire/schemas.ts";
import { ApiLogSchema } from "../../wire/run_schemas.ts";

const LogCursor = z.string().regex(/^\d+$/, { error: "must be a log id" })
  .transform(Number)
  .meta({ description: "`next_cursor` of the previous page (the last log id seen)" });

const logFields = {
  level: LevelParam.optional(),
  q: z.string().optional().meta({ description: "Substring of the message" }),
  after_id: SeqParam.optional().meta({ description: "Only lines with a greater id" }),
  cursor: LogCursor.optional(),
  limit: LimitParam.optional(),
};

function notBoth(value: { after_id?: number | undefined; cursor?: number | undefined }) {
  return value.after_id === undefined || value.cursor === undefined;
}
const NOT_BOTH = { error: "give after_id or cursor, not both", path: ["cursor"] };

/** Query of a flow run's logs. */
export const FlowRunLogQuery = z.strictObject({
  task_run_id: z.string().min(1).optional().meta({ description: "Only this task run's lines" }),
  ...logFields,
}).refine(notBoth, NOT_BOTH);

/** Query of a task run's logs. */
export const TaskRunLogQuery = z.strictObject(logFields).refine(notBoth, NOT_BOTH);

/** The answer of a log listing. */
export const LogPage = pageOf(ApiLogSchema);

/** One page of log lines, oldest first. */
export function logPage(
  engine: Engine,
  scope: { flowRunId: string; taskRunId?: string | undefined },
  query: z.output<typeof TaskRunLogQuery> & { task_run_id?: string | undefined },
): z.infer<typeof LogPage> {
  const limit = query.limit ?? 200;
  const taskRunId = scope.taskRunId ?? query.task_run_id;
  const logQuery: LogQuery = {
    flowRunId: scope.flowRunId,
    afterId: query.cursor ?? query.after_id ?? 0,
    limit: limit + 1,
    ...(taskRunId !== undefined ? { taskRunId } : {}),
    ...(query.level !== undefined ? { minLevel: query.level } : {}),
    ...(query.q ? { text: query.q } : {}),
  };
  const lines = engine.logs(logQuery);
  const items = lines.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toApiLog),
    next_cursor: lines.length > limit && last?.id !== undefined ? String(last.id) : null,
  };
}
