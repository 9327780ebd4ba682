/**
 * Every read command prints, with --json, one JSON document of the shape
 * docs/cli.md lists, on the embedded home and against a server alike.
 */
import assert from "node:assert/strict";
import { FLOWS, freePort, ironflow, spawnIronflow, tempHome } from "./_cli.ts";

const CHATTY = new URL("../testdata/cli/logging_flows.ts", import.meta.url).pathname;

const SECRET_KEY = "k".repeat(32);

type Json = Record<string, unknown> & unknown[];

/** Runs `args` with --json, expects exit 0 and stdout that parses. */
async function json(home: string, args: string[], env: Record<string, string>): Promise<Json> {
  const out = await ironflow(home, [...args, "--json"], { env, cwd: home });
  assert.equal(out.code, 0, `ironflow ${args.join(" ")} --json\n${out.stderr}`);
  try {
    return JSON.parse(out.stdout) as Json;
  } catch (error) {
    throw new Error(`ironflow ${args.join(" ")} --json printed no JSON:\n${out.stdout}`, {
      cause: error,
    });
  }
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

async function checkReadCommands(home: string, env: Record<string, string>) {
  const key = { IRONFLOW_SECRET_KEY: SECRET_KEY, ...env };
  // Something of each kind to read.
  const run = await json(home, ["run", `${CHATTY}:chatty`], env);
  const runId = run["run_id"] as string;
  await Deno.writeTextFile(
    `${home}/ironflow.yaml`,
    `deployments:\n  - name: sq\n    entrypoint: ${FLOWS}:squares\n    parameters: { n: 2 }\n`,
  );
  await Deno.writeTextFile(
    `${home}/automations.yaml`,
    `automations:\n  - name: pong\n    trigger: { type: event, match: [acme.ping] }\n` +
      `    actions:\n      - { type: emit-event, event: acme.pong, resource: acme.x }\n`,
  );
  for (
    const setup of [
      ["deploy", "--all"],
      ["automation", "apply", "--file", "automations.yaml"],
      ["variable", "set", "region", "eu"],
      ["secret", "set", "token", "--value", "s3cr3t"],
      ["work-pool", "create", "gpu"],
      ["concurrency-limit", "create", "db", "--limit", "2"],
    ]
  ) {
    const out = await ironflow(home, setup, { env: key, cwd: home });
    assert.equal(out.code, 0, `ironflow ${setup.join(" ")}\n${out.stderr}`);
  }
  const tasks = await json(home, ["flow-run", "task-runs", runId], env);
  const taskId = (tasks[0] as { id: string }).id;
  const artifacts = await json(home, ["artifact", "ls", runId], env);
  const artifactId = (artifacts[0] as { id: string }).id;

  // [command, a check of the documented shape]
  const cases: Array<[string[], (value: Json) => void]> = [
    [["version"], (v) => assert.equal(typeof v["store_schema"], "number")],
    [["flow", "ls"], (v) => assert.ok(v.some((f) => (f as { name: string }).name === "chatty"))],
    [["flow", "inspect", "chatty"], (v) => assert.equal(v["name"], "chatty")],
    [["flow-run", "ls"], (v) => assert.equal((v[0] as { id: string }).id, runId)],
    [["flow-run", "inspect", runId], (v) => {
      assert.equal((v["run"] as { id: string }).id, runId);
      assert.equal((v["task_runs"] as unknown[]).length, 2);
    }],
    [["flow-run", "task-runs", runId], (v) => assert.equal(v.length, 2)],
    [
      ["flow-run", "logs", runId],
      (v) =>
        assert.deepEqual(v.map((l) => (l as { message: string }).message), [
          "chatty starts",
          "step 1 done",
          "step 2 done",
        ]),
    ],
    [["flow-run", "events", runId], (v) => assert.ok(v.every((e) => "seq" in (e as object)))],
    [["flow-run", "dag", runId], (v) => assert.ok(Array.isArray(v["nodes"]))],
    [["flow-run", "watch", runId], (v) => assert.equal(v["state"], "COMPLETED")],
    [["task-run", "ls", runId], (v) => assert.equal(v.length, 2)],
    [["task-run", "inspect", taskId], (v) => assert.equal((v["run"] as { id: string }).id, taskId)],
    [["task-run", "logs", taskId], (v) => assert.equal(v.length, 1)],
    [["artifact", "ls", runId], (v) => assert.equal((v[0] as { key: string }).key, "chatty-total")],
    [["artifact", "inspect", artifactId], (v) => assert.equal(v["id"], artifactId)],
    [["deployment", "ls"], (v) => assert.equal((v[0] as { name: string }).name, "sq")],
    [["deployment", "inspect", "sq"], (v) => {
      assert.equal((v["deployment"] as { name: string }).name, "sq");
      assert.ok(Array.isArray(v["runs"]));
    }],
    [["automation", "ls"], (v) => assert.equal((v[0] as { name: string }).name, "pong")],
    [["automation", "inspect", "pong"], (v) => assert.equal(v["name"], "pong")],
    [["variable", "ls"], (v) => assert.ok(JSON.stringify(v).includes("region"))],
    [["variable", "get", "region"], (v) => assert.equal(v as unknown, "eu")],
    [["secret", "ls"], (v) => {
      assert.ok(JSON.stringify(v).includes("token"));
      assert.ok(!JSON.stringify(v).includes("s3cr3t"), "a secret's value is never printed");
    }],
    [["work-pool", "ls"], (v) => assert.ok(v.some((p) => (p as { name: string }).name === "gpu"))],
    [["work-pool", "inspect", "gpu"], (v) => assert.equal(v["name"], "gpu")],
    [["concurrency-limit", "ls"], (v) => assert.equal((v[0] as { name: string }).name, "db")],
    [["concurrency-limit", "inspect", "db"], (v) => assert.equal(v["limit"], 2)],
    [["plan", `${FLOWS}:squares`], (v) => assert.ok(typeof v === "object" && v !== null)],
  ];
  await pool(cases, 3, async ([args, check]) => {
    check(await json(home, args, key));
  });
  // A write's --json answer has the API's shape too (after the reads: it adds a run).
  const created = await json(home, ["deployment", "run", "sq"], env);
  assert.equal(created["state"], "SCHEDULED");
  assert.equal(typeof created["run_name"], "string");
}

Deno.test("every read command prints JSON with --json: embedded home", async () => {
  await using home = await tempHome();
  await checkReadCommands(home.path, {});
});

Deno.test("every read command prints JSON with --json: against a server", async () => {
  await using home = await tempHome();
  await using serverHome = await tempHome();
  const port = String(freePort());
  await using server = spawnIronflow(serverHome.path, [
    "server",
    "start",
    "--port",
    port,
    "--no-worker",
    "--no-services",
  ], { env: { IRONFLOW_SECRET_KEY: SECRET_KEY } });
  await server.waitFor(/auth /);
  await checkReadCommands(home.path, { IRONFLOW_API_URL: `http://127.0.0.1:${port}` });
});
