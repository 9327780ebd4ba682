/**
 * `ironflow api METHOD PATH`: the same requests on the embedded home and on a
 * server, error answers on stderr with exit code 1, an unreachable server
 * named with what was tried.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../e2e/_server.ts";
import { closedPort, ironflow, tempHome } from "./_cli.ts";

Deno.test("ironflow api creates and reads a work pool on the embedded home and on a server", async (t) => {
  await using home = await tempHome();
  await using server = startTestServer();
  for (
    const [where, prefix] of [["embedded", []], ["server", ["--api-url", server.url]]] as const
  ) {
    await t.step(where, async () => {
      await Deno.writeTextFile(`${home.path}/pool.json`, JSON.stringify({ name: "gpu" }));
      const created = await ironflow(home.path, [
        ...prefix,
        "api",
        "POST",
        "/work-pools",
        "--data",
        "@pool.json",
      ], { cwd: home.path });
      assert.equal(created.code, 0, created.stderr);
      assert.equal(JSON.parse(created.stdout).name, "gpu");
      const listed = await ironflow(home.path, [
        ...prefix,
        "api",
        "get",
        "/api/work-pools",
      ]);
      assert.equal(listed.code, 0, listed.stderr);
      const names = JSON.parse(listed.stdout).items.map((p: { name: string }) => p.name);
      assert.ok(names.includes("gpu"), listed.stdout);
      const runs = await ironflow(home.path, [
        ...prefix,
        "api",
        "GET",
        "/flow-runs",
        "--query",
        "limit=1",
      ]);
      assert.deepEqual(JSON.parse(runs.stdout), { items: [], next_cursor: null });
    });
  }
  const onServer = await fetch(`${server.url}/api/work-pools/gpu`);
  assert.equal(onServer.status, 200, "the server holds the pool created with --api-url");
  await onServer.body?.cancel();
});

Deno.test("ironflow api: an error answer is printed on stderr with exit code 1", async () => {
  await using home = await tempHome();
  const missing = await ironflow(home.path, ["api", "GET", "/flow-runs/nope"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'Error: Flow run "nope" does not exist');
  const badMethod = await ironflow(home.path, ["api", "FETCH", "/flow-runs"]);
  assert.equal(badMethod.code, 1);
  assert.equal(
    badMethod.stderr.trim(),
    'Error: Unknown method "FETCH": use one of GET, POST, PUT, PATCH, DELETE',
  );
  const badJson = await ironflow(home.path, ["api", "POST", "/work-pools", "--data", "{"]);
  assert.equal(badJson.code, 1);
  assert.match(badJson.stderr, /^Error: --data is not valid JSON: /);
});

Deno.test("an unreachable server is named with what was tried, without a stack trace", async () => {
  await using home = await tempHome();
  const url = `http://127.0.0.1:${closedPort()}`;
  const out = await ironflow(home.path, ["api", "GET", "/flow-runs"], {
    env: { IRONFLOW_API_URL: url },
  });
  assert.equal(out.code, 1);
  assert.equal(
    out.stderr.trim(),
    `Error: Cannot reach the IronFlow server at ${url} (tried GET /api/flow-runs): connection refused. ` +
      `Start one with "ironflow server start", or set --api-url / IRONFLOW_API_URL to a server ` +
      `that is running (unset both to use the embedded home)`,
  );
});
