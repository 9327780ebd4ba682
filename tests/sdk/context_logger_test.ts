import assert from "node:assert/strict";
import { LogLevel } from "../../engine/mod.ts";
import {
  flow,
  getRunContext,
  getRunLogger,
  MissingContextError,
  type RunContext,
  task,
} from "../../sdk/mod.ts";
import { logsOf, taskRunNamed, testPlane } from "./_helpers.ts";

Deno.test("getRunContext() names the flow run and task run the code runs in", async () => {
  await using plane = testPlane();
  let inFlow: RunContext | undefined;
  let inTask: RunContext | undefined;
  const enrich = task(async (row: string) => {
    inTask = getRunContext();
    return await Promise.resolve(row.toUpperCase());
  });
  const ingest = flow({ name: "ingest" }, async (source: string, limit: number) => {
    inFlow = getRunContext();
    return await enrich(`${source}:${limit}`);
  });

  const outcome = await ingest.runWith({ plane }, "s3", 10);

  const flowRun = plane.engine.getRun(outcome.runId)!;
  const taskRun = taskRunNamed(plane, outcome.runId, "enrich");
  assert.deepEqual(inFlow?.flowRun, {
    id: flowRun.id,
    name: flowRun.runName,
    parameters: { source: "s3", limit: 10 },
  });
  assert.equal(inFlow?.taskRun, undefined);
  assert.equal(inTask?.flowRun.id, flowRun.id);
  assert.deepEqual(inTask?.taskRun, { id: taskRun.id, name: taskRun.runName, attempt: 1 });
  assert.equal(inTask?.signal.aborted, false);
});

Deno.test("getRunContext() outside a run throws MissingContextError", () => {
  assert.throws(() => getRunContext(), MissingContextError);
});

Deno.test("getRunLogger() stores lines linked to the flow run and the task run, with levels", async () => {
  await using plane = testPlane();
  const load = task(async () => {
    getRunLogger().warning("slow disk", { mb: 12 });
    return await Promise.resolve(1);
  });
  const etl = flow({ name: "etl" }, async () => {
    getRunLogger().info("starting", 3, "steps");
    await load();
    getRunLogger("custom.logger").debug("done");
  });

  const outcome = await etl.runWith({ plane });

  const taskRun = taskRunNamed(plane, outcome.runId, "load");
  const rows = await logsOf(plane, outcome.runId);
  assert.deepEqual(rows.map((row) => [row.taskRunId, row.level, row.name, row.message]), [
    [null, LogLevel.INFO, "ironflow.flow", "starting 3 steps"],
    [taskRun.id, LogLevel.WARNING, "ironflow.task", 'slow disk {"mb":12}'],
    [null, LogLevel.DEBUG, "custom.logger", "done"],
  ]);
  assert.ok(rows.every((row) => row.flowRunId === outcome.runId));
});

Deno.test("getRunLogger() outside a run does not throw", () => {
  const logger = getRunLogger();
  logger.debug("getRunLogger outside a run: this line goes to stderr");
});

Deno.test("logPrints: true stores console.log output of the run as INFO lines", async () => {
  await using plane = testPlane();
  const chatty = task(() => {
    console.log("printed by the task", 42);
  });
  const talkative = flow({ name: "talkative", logPrints: true }, async () => {
    console.log("printed by the flow");
    await chatty();
  });
  const quiet = flow({ name: "quiet" }, () => {
    console.log("not captured without logPrints");
  });

  const outcome = await talkative.runWith({ plane });
  const quietOutcome = await quiet.runWith({ plane });

  const taskRun = taskRunNamed(plane, outcome.runId, "chatty");
  const prints = (await logsOf(plane, outcome.runId)).filter((row) =>
    row.name === "ironflow.print"
  );
  assert.deepEqual(prints.map((row) => [row.taskRunId, row.level, row.message]), [
    [null, LogLevel.INFO, "printed by the flow"],
    [taskRun.id, LogLevel.INFO, "printed by the task 42"],
  ]);
  assert.deepEqual(await logsOf(plane, quietOutcome.runId), []);
});

Deno.test("a failed task run logs an ERROR line with the stack", async () => {
  await using plane = testPlane();
  const parse = task(async (): Promise<number> => {
    return await Promise.reject(new SyntaxError("unexpected token in row 7"));
  });
  const etl = flow({ name: "etl" }, () => {
    parse.submit();
  });

  const outcome = await etl.runWith({ plane });

  const taskRun = taskRunNamed(plane, outcome.runId, "parse");
  const errors = (await logsOf(plane, outcome.runId, LogLevel.ERROR)).filter((row) =>
    row.taskRunId === taskRun.id
  );
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.level, LogLevel.ERROR);
  assert.match(errors[0]!.message, /failed: SyntaxError: unexpected token in row 7\n\s+at /);
  assert.match(errors[0]!.message, /context_logger_test\.ts/);
});

Deno.test("8 concurrent task loggers × 20 lines are all stored", async () => {
  await using plane = testPlane();
  const noisy = task(async (worker: number) => {
    const logger = getRunLogger();
    for (let line = 0; line < 20; line++) {
      logger.info(`worker ${worker} line ${line}`);
      await Promise.resolve();
    }
  });
  const crowd = flow({ name: "crowd" }, async () => {
    await Promise.all(noisy.map([0, 1, 2, 3, 4, 5, 6, 7]));
  });

  const outcome = await crowd.runWith({ plane });

  const rows = (await logsOf(plane, outcome.runId)).filter((row) => row.name === "ironflow.task");
  assert.equal(rows.length, 160);
  const perTaskRun = new Map<string | null, number>();
  for (const row of rows) perTaskRun.set(row.taskRunId, (perTaskRun.get(row.taskRunId) ?? 0) + 1);
  assert.equal(perTaskRun.size, 8);
  assert.ok([...perTaskRun.values()].every((count) => count === 20));
  assert.equal(new Set(rows.map((row) => row.message)).size, 160);
});
