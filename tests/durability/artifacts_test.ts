import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../engine/mod.ts";
import {
  createLinkArtifact,
  createMarkdownArtifact,
  createProgressArtifact,
  createTableArtifact,
  flow,
  getRunContext,
  MissingContextError,
  task,
  updateProgressArtifact,
} from "../../sdk/mod.ts";
import { taskRunNamed, testPlane } from "./_helpers.ts";

Deno.test("artifacts: every kind is listed with its run, in creation order", async () => {
  await using plane = testPlane();
  const report = task(async (rows: number) => {
    await createTableArtifact([{ region: "eu", rows }, { region: "us", rows: rows * 2 }], {
      description: "rows per region",
    });
    await createLinkArtifact("https://example.com/dashboards/7", { text: "dashboard" });
    await createProgressArtifact(100);
  });
  const reporting = flow({ name: "artifacts-kinds" }, async () => {
    await createMarkdownArtifact("# Load started");
    await report(10);
  });
  const other = flow({ name: "artifacts-other-run" }, async () => {
    await createMarkdownArtifact("# Not mine");
  });

  const outcome = await reporting.runWith({ plane });
  await other.runWith({ plane });

  const taskRunId = taskRunNamed(plane, outcome.runId, "report").id;
  const artifacts = await plane.listArtifacts({ flowRunId: outcome.runId });
  assert.deepEqual(
    artifacts.map((a) => [a.type, a.taskRunId, a.data, a.description]),
    [
      ["markdown", null, "# Load started", null],
      [
        "table",
        taskRunId,
        [{ region: "eu", rows: 10 }, { region: "us", rows: 20 }],
        "rows per region",
      ],
      ["link", taskRunId, { url: "https://example.com/dashboards/7", text: "dashboard" }, null],
      ["progress", taskRunId, 100, null],
    ],
  );
  assert.ok(artifacts.every((a) => a.flowRunId === outcome.runId && a.key === null));
  const ofTask = await plane.listArtifacts({ flowRunId: outcome.runId, taskRunId });
  assert.deepEqual(ofTask.map((a) => a.type), ["table", "link", "progress"]);
});

Deno.test("artifacts: creating an artifact with an existing key adds the next version", async () => {
  await using plane = testPlane();
  const daily = flow({ name: "artifacts-versions" }, async (day: string) => {
    return await createMarkdownArtifact(`# Report for ${day}`, { key: "daily-report" });
  });

  const first = await daily.runWith({ plane }, "monday");
  const second = await daily.runWith({ plane }, "tuesday");

  const [v1] = await plane.listArtifacts({ flowRunId: first.runId });
  const [v2] = await plane.listArtifacts({ flowRunId: second.runId });
  assert.deepEqual([v1!.key, v1!.version, v1!.data], ["daily-report", 1, "# Report for monday"]);
  assert.deepEqual([v2!.key, v2!.version, v2!.data], ["daily-report", 2, "# Report for tuesday"]);
  assert.equal(second.result, v2!.id, "createMarkdownArtifact() returns the new id");
});

Deno.test("artifacts: a progress artifact is updated in place", async () => {
  await using plane = testPlane();
  const steps = flow({ name: "artifacts-progress" }, async () => {
    const id = await createProgressArtifact(0, { key: "import-progress" });
    for (const progress of [25, 50, 100]) await updateProgressArtifact(id, progress);
    return id;
  });

  const outcome = await steps.runWith({ plane });

  const artifacts = await plane.listArtifacts({ flowRunId: outcome.runId });
  assert.equal(artifacts.length, 1);
  assert.deepEqual([artifacts[0]!.id, artifacts[0]!.data, artifacts[0]!.version], [
    outcome.result,
    100,
    1,
  ]);
});

Deno.test("artifacts: progress outside 0..100 is rejected", async () => {
  await using plane = testPlane();
  const errors: unknown[] = [];
  const overflow = flow({ name: "artifacts-invalid-progress" }, async () => {
    await createProgressArtifact(150).catch((error) => errors.push(error));
    const id = await createProgressArtifact(10);
    await updateProgressArtifact(id, 150).catch((error) => errors.push(error));
    await updateProgressArtifact(id, -1).catch((error) => errors.push(error));
  });

  const outcome = await overflow.runWith({ plane });

  assert.equal(errors.length, 3);
  for (const error of errors) assert.ok(error instanceof InvalidArgumentError);
  assert.equal(
    (errors[0] as Error).message,
    "Progress must be a number from 0 to 100, got 150",
  );
  const artifacts = await plane.listArtifacts({ flowRunId: outcome.runId });
  assert.deepEqual(artifacts.map((a) => a.data), [10], "an invalid value was stored");
});

Deno.test("artifacts: a link must be http(s) and a key must be lowercase", async () => {
  await using plane = testPlane();
  const errors: Error[] = [];
  const invalid = flow({ name: "artifacts-invalid" }, async () => {
    await createLinkArtifact("javascript:alert(1)").catch((error) => errors.push(error));
    await createMarkdownArtifact("x", { key: "Daily Report" }).catch((error) => errors.push(error));
  });

  const outcome = await invalid.runWith({ plane });

  assert.deepEqual(errors.map((error) => error.name), [
    "InvalidArgumentError",
    "InvalidArgumentError",
  ]);
  assert.deepEqual(await plane.listArtifacts({ flowRunId: outcome.runId }), []);
});

Deno.test("artifacts: creating one outside a run throws MissingContextError", async () => {
  assert.throws(() => getRunContext(), MissingContextError);
  await assert.rejects(createMarkdownArtifact("# Orphan"), MissingContextError);
  await assert.rejects(createTableArtifact([]), MissingContextError);
  await assert.rejects(createLinkArtifact("https://example.com"), MissingContextError);
  await assert.rejects(createProgressArtifact(1), MissingContextError);
  await assert.rejects(updateProgressArtifact("any", 1), MissingContextError);
});

Deno.test("artifacts: a persisted task result appears as a result artifact of its task run", async () => {
  await using plane = testPlane();
  const compute = task({ name: "artifact-compute" }, (x: number) => ({ total: x * 2 }));
  const nothing = task({ name: "artifact-nothing" }, () => undefined);
  const resulting = flow({ name: "artifact-results", persistResult: true }, async () => {
    await nothing();
    return await compute(21);
  });
  const outcome = await resulting.runWith({ plane });
  assert.equal(outcome.state.type, "COMPLETED");
  const artifacts = await plane.listArtifacts({ flowRunId: outcome.runId });
  const results = artifacts.filter((a) => a.type === "result");
  assert.equal(results.length, 1, "no artifact for a task without a result");
  assert.deepEqual(results[0]!.data, { total: 42 });
  const taskRun = plane.engine.listRuns({
    kind: "task",
    parentId: outcome.runId,
    name: "artifact-compute",
  }).items[0]!;
  assert.equal(results[0]!.taskRunId, taskRun.id);
});
