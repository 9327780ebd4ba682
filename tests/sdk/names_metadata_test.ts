/**
 * Names and metadata from Prefect 3's "Write and run flows" / "Write and run tasks"
 * (flow_run_name, task_run_name, tags as a context manager: docs.prefect.io/v3/develop/write-flows,
 * /write-tasks), "Configure task caching" (INPUTS - "x", .configure(isolation_level):
 * docs.prefect.io/v3/develop/task-caching) and "Results" (result_serializer, result_storage:
 * docs.prefect.io/v3/develop/results).
 */
import assert from "node:assert/strict";
import { flow, INPUTS, task, withTags } from "../../sdk/mod.ts";
import { taskRunNamed, taskRunsOf, testPlane } from "./_helpers.ts";

Deno.test("write-flows: flowRunName and taskRunName templates and functions name the runs", async () => {
  await using plane = testPlane();
  const fetchPage = task(
    { name: "fetch", taskRunName: "fetch-{page}" },
    async (page: number) => await Promise.resolve(page),
  );
  const report = task(
    { name: "report", taskRunName: ({ region }) => `report for ${region}` },
    async (region: string) => await Promise.resolve(region),
  );
  const daily = flow(
    { name: "daily", flowRunName: "{region}-{config.day}" },
    async (region: string, config: { day: string }) => {
      await fetchPage(3);
      await report(region);
      return config.day;
    },
  );

  const outcome = await daily.runWith({ plane }, "eu", { day: "2024-05-01" });

  assert.equal(plane.engine.getRun(outcome.runId)!.runName, "eu-2024-05-01");
  assert.equal(taskRunNamed(plane, outcome.runId, "fetch").runName, "fetch-3");
  assert.equal(taskRunNamed(plane, outcome.runId, "report").runName, "report for eu");
});

Deno.test("write-flows: a template naming no parameter is a clear error before the run", async () => {
  await using plane = testPlane();
  const typo = flow({ name: "typo", flowRunName: "{regoin}" }, (region: string) => region);
  await assert.rejects(
    () => typo.runWith({ plane }, "eu"),
    /Run name template of flow "typo" names "\{regoin\}", which is not a parameter \(parameters: "region"\)/,
  );
  assert.equal(plane.engine.listRuns({ kind: "flow" }).items.length, 0);
});

Deno.test("write-tasks: withTags() tags every run created inside, nested scopes add up", async () => {
  await using plane = testPlane();
  const step = task({ name: "step", tags: ["own"] }, async () => await Promise.resolve(1));
  const tagged = flow({ name: "tagged" }, async () => {
    await step();
    await withTags(["nightly"], async () => {
      await step();
      await withTags(["eu"], () => step());
    });
  });

  const outcome = await withTags(["team-a"], () => tagged.runWith({ plane }));

  assert.deepEqual(plane.engine.getRun(outcome.runId)!.tags, ["team-a"]);
  assert.deepEqual(taskRunsOf(plane, outcome.runId).map((run) => run.tags), [
    ["own", "team-a"],
    ["own", "team-a", "nightly"],
    ["own", "team-a", "nightly", "eu"],
  ]);
});

Deno.test("task-caching: INPUTS.exclude() leaves a parameter out of the cache key", async () => {
  await using plane = testPlane();
  let calls = 0;
  const lookup = task(
    { name: "lookup", cachePolicy: INPUTS.exclude("client") },
    async (id: string, client: { attempt: number }) => {
      calls++;
      return await Promise.resolve(`${id}@${client.attempt}`);
    },
  );
  const run = flow({ name: "lookups" }, async () => [
    await lookup("u1", { attempt: 1 }),
    await lookup("u1", { attempt: 2 }), // same id, another client: a cache hit
    await lookup("u2", { attempt: 3 }),
  ]);

  assert.deepEqual((await run.runWith({ plane })).result, ["u1@1", "u1@1", "u2@3"]);
  assert.equal(calls, 2);
});

Deno.test("task-caching: configure({ keyStorage }) separates caches; SERIALIZABLE runs a key once", async () => {
  await using plane = testPlane();
  let calls = 0;
  const body = async (x: number) => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return x;
  };
  const shared = task({ name: "shared", cachePolicy: INPUTS }, body);
  const apart = task({ name: "shared", cachePolicy: INPUTS.configure({ keyStorage: "b" }) }, body);
  const serial = task(
    { name: "serial", cachePolicy: INPUTS.configure({ isolationLevel: "SERIALIZABLE" }) },
    body,
  );
  const run = flow({ name: "caches" }, async () => {
    await shared(1);
    await apart(1); // another key storage: runs again
    await Promise.all([serial(2), serial(2)]); // one waits for the other, then hits its cache
  });

  await run.runWith({ plane });
  assert.equal(calls, 3);
  assert.throws(
    () => INPUTS.configure({ keyStore: "x" } as never),
    /Unknown cache policy setting "keyStore"/,
  );
});

Deno.test("results: structured-clone serializer and a result storage folder", async () => {
  await using plane = testPlane();
  const folder = await Deno.makeTempDir({ prefix: "ironflow_results_" });
  try {
    const rich = task(
      { name: "rich", resultSerializer: "structured-clone", resultStorage: folder },
      () => new Map([["when", new Date(0)]]),
    );
    const run = flow({ name: "rich-results" }, async () => (await rich()).get("when"));
    const outcome = await run.runWith({ plane });
    assert.ok(outcome.result instanceof Date);
    const event = plane.engine.events(taskRunNamed(plane, outcome.runId, "rich").id).at(-1)!;
    const stored = event.data!["result"] as { encoding: string; location: string; ref: string };
    assert.equal(stored.encoding, "structured-clone");
    assert.equal(stored.location, folder);
    const files = [];
    for await (const entry of Deno.readDir(folder)) files.push(entry.name);
    assert.ok(files.length > 0, "the result went to the given folder");
    const { decodeResult } = await import("../../sdk/results.ts");
    const value = await decodeResult(stored as never, plane.results) as Map<string, Date>;
    assert.equal(value.get("when")!.getTime(), 0);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
