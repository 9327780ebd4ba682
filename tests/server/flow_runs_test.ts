import assert from "node:assert/strict";
import type { ApiRun } from "../../wire/mod.ts";
import { assertError, call, seedFlows, T0, testServer } from "./_helpers.ts";

/** Seeds 30 flow runs directly: 3 flow names, tags, deployments, states and creation times. */
async function seedMany() {
  const server = testServer();
  const { engine, clock } = server;
  for (let i = 0; i < 30; i++) {
    if (i % 2 === 0) clock.tick(1000);
    const run = await engine.createFlowRun({
      name: ["etl", "report", "sync"][i % 3]!,
      runName: `run-name-${String(i).padStart(2, "0")}`,
      tags: i % 2 === 0 ? ["even", "nightly"] : ["odd"],
      ...(i % 5 === 0 ? { deploymentId: "dep-1" } : {}),
    });
    if (i % 3 !== 2) {
      await engine.propose(run.id, { to: "RUNNING", token: `s${i}`, kind: "start" });
    }
    if (i % 4 === 0) {
      clock.tick(10);
      await engine.propose(run.id, { to: "FAILED", token: `f${i}`, kind: "fail" });
    }
  }
  // A task run must never appear in flow run listings.
  await engine.createTaskRun({ name: "stray", flowName: "etl" });
  return server;
}

async function walk(app: ReturnType<typeof testServer>["app"], query: string): Promise<ApiRun[]> {
  const out: ApiRun[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? "&" : "";
    const url: string = `/api/flow-runs?${query}${
      cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ""
    }`;
    const page = await call(app, url);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    out.push(...page.body.items);
    cursor = page.body.next_cursor;
  } while (cursor !== null);
  return out;
}

Deno.test("GET /api/flow-runs lists flow runs newest first as { items, next_cursor }", async () => {
  const { app, engine } = await seedMany();
  const page = await call(app, "/api/flow-runs?limit=5");
  assert.equal(page.status, 200);
  assert.equal(page.body.items.length, 5);
  assert.equal(typeof page.body.next_cursor, "string");
  const all = engine.listRuns({ kind: "flow", limit: 1000 }).items;
  assert.deepEqual(page.body.items.map((r: ApiRun) => r.id), all.slice(0, 5).map((r) => r.id));
  assert.ok(page.body.items.every((r: ApiRun) => r.kind === "flow"));
  assert.match(page.body.items[0].created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  const everything = await call(app, "/api/flow-runs?limit=1000");
  assert.equal(everything.body.items.length, 30);
  assert.equal(everything.body.next_cursor, null);
});

Deno.test("GET /api/flow-runs filters by state, flow, deployment, text, tags and created range", async (t) => {
  const { app, engine } = await seedMany();
  const runs = engine.listRuns({ kind: "flow", limit: 1000 }).items;
  const cases: Array<[string, (r: (typeof runs)[number]) => boolean]> = [
    ["state=FAILED", (r) => r.state === "FAILED"],
    ["state=FAILED,PENDING", (r) => r.state === "FAILED" || r.state === "PENDING"],
    ["state=FAILED&state=PENDING", (r) => r.state === "FAILED" || r.state === "PENDING"],
    ["flow_name=report", (r) => r.flowName === "report"],
    ["deployment_id=dep-1", (r) => r.deploymentId === "dep-1"],
    ["q=NAME-1", (r) => r.runName.startsWith("run-name-1")],
    ["tags=odd", (r) => r.tags.includes("odd")],
    ["tags=even,nightly", (r) => r.tags.includes("even")],
    ["tags=even&tags=odd", () => false],
    [
      `created_after=${new Date(T0 + 3000).toISOString()}&created_before=${
        new Date(T0 + 6000).toISOString()
      }`,
      (r) => r.createdAt >= T0 + 3000 && r.createdAt < T0 + 6000,
    ],
    [
      "flow_name=etl&state=RUNNING&tags=even",
      (r) => r.flowName === "etl" && r.state === "RUNNING" && r.tags.includes("even"),
    ],
  ];
  for (const [query, predicate] of cases) {
    await t.step(query, async () => {
      const listed = await walk(app, `${query}&limit=3`);
      assert.deepEqual(
        listed.map((r) => r.id).sort(),
        runs.filter(predicate).map((r) => r.id).sort(),
      );
    });
  }
});

Deno.test("GET /api/flow-runs sorts by every key both ways and walks pages without gaps", async (t) => {
  const { app, engine } = await seedMany();
  for (const sort of ["created", "updated", "start", "end", "name"] as const) {
    for (const order of ["asc", "desc"] as const) {
      await t.step(`${sort} ${order}`, async () => {
        const expected = engine.listRuns({ kind: "flow", sort, order, limit: 1000 }).items;
        for (const limit of [1, 7, 30]) {
          const listed = await walk(app, `sort=${sort}&order=${order}&limit=${limit}`);
          assert.deepEqual(listed.map((r) => r.id), expected.map((r) => r.id));
        }
      });
    }
  }
});

Deno.test("GET /api/flow-runs answers 400 for a cursor made for another sort, and bad parameters", async (t) => {
  const { app } = await seedMany();
  const first = await call(app, "/api/flow-runs?sort=name&order=asc&limit=2");
  const cursor = encodeURIComponent(first.body.next_cursor);
  const bad: Array<[string, string]> = [
    [`sort=created&cursor=${cursor}`, "invalid_cursor"],
    [`sort=name&order=desc&cursor=${cursor}`, "invalid_cursor"],
    ["cursor=garbage", "invalid_cursor"],
    ["state=DONE", "invalid_request"],
    ["sort=size", "invalid_request"],
    ["order=up", "invalid_request"],
    ["limit=0", "invalid_request"],
    ["limit=1001", "invalid_request"],
    ["limit=ten", "invalid_request"],
    ["created_after=yesterday", "invalid_request"],
    ["flow_name=a&flow_name=b", "invalid_request"],
    ["colour=red", "invalid_request"],
  ];
  for (const [query, code] of bad) {
    await t.step(query, async () => {
      const answer = await call(app, `/api/flow-runs?${query}`);
      assertError(answer, 400, code);
    });
  }
  const typed = await call(app, "/api/flow-runs?limit=ten&colour=red");
  assert.deepEqual(typed.body.error.details, [
    { path: "limit", message: "Invalid input: expected number, received NaN" },
    { path: "", message: 'has unknown field "colour"' },
  ]);
});

Deno.test("GET /api/flow-runs/:id shows parameters, lineage, parent, subflows, task counts and history", async () => {
  const server = testServer();
  const { app, engine } = server;
  const { etlId } = await seedFlows(server);
  const detail = await call(app, `/api/flow-runs/${etlId}`);
  assert.equal(detail.status, 200);
  const body = detail.body;
  assert.equal(body.run.id, etlId);
  assert.equal(body.run.state, "COMPLETED");
  assert.deepEqual(body.parameters, { xs: [1, 2, 3] });
  assert.deepEqual(body.lineage, []);
  assert.equal(body.parent, null);
  assert.equal(body.children.length, 1);
  assert.equal(body.children[0].flow_name, "child");
  assert.equal(body.children_truncated, false);
  // double ×3, total, and no task run for the subflow itself.
  assert.deepEqual(body.task_run_counts, { COMPLETED: 4 });
  assert.equal(body.task_runs_total, 4);
  assert.deepEqual(
    body.history.map((h: { from: string; to: string }) => `${h.from}>${h.to}`),
    ["null>PENDING", "PENDING>RUNNING", "RUNNING>COMPLETED"],
  );
  assert.equal(body.history.at(-1).duration_ms, null);
  assert.equal(typeof body.history[0].duration_ms, "number");

  const childDetail = await call(app, `/api/flow-runs/${body.children[0].id}`);
  assert.equal(childDetail.body.parent.id, etlId);

  // A retry joins the lineage.
  const retried = await engine.createFlowRun({ name: "etl", lineageId: etlId, attempt: 2 });
  const again = await call(app, `/api/flow-runs/${etlId}`);
  assert.deepEqual(again.body.lineage.map((r: ApiRun) => [r.id, r.attempt]), [[retried.id, 2]]);
});

Deno.test("GET /api/flow-runs/:id answers 404 for unknown ids and for task runs", async () => {
  const server = testServer();
  const task = await server.engine.createTaskRun({ name: "t" });
  assertError(await call(server.app, "/api/flow-runs/nope"), 404, "flow_run_not_found");
  assertError(await call(server.app, `/api/flow-runs/${task.id}`), 404, "flow_run_not_found");
});
