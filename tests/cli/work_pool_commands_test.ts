/**
 * `ironflow work-pool` and `ironflow concurrency-limit` (`gcl`): the same
 * commands on the embedded home and on a server, each write naming where.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../e2e/_server.ts";
import { ironflow, tempHome } from "./_cli.ts";

Deno.test("work-pool create, ls, pause, inspect, resume, delete: embedded and on a server", async (t) => {
  await using home = await tempHome();
  await using server = startTestServer();
  const targets = [
    ["embedded", [], `home ${home.path}`],
    ["server", ["--api-url", server.url], `server ${server.url}`],
  ] as const;
  for (const [label, flag, where] of targets) {
    await t.step(label, async () => {
      const run = (...args: string[]) => ironflow(home.path, [...flag, "work-pool", ...args]);
      const created = await run("create", "gpu", "--description", "big boxes");
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout.trim(), `Created work pool gpu (${where})`);
      const paused = await run("pause", "gpu");
      assert.equal(paused.stdout.trim(), `Work pool gpu paused (${where})`);
      const ls = JSON.parse((await run("ls", "--json")).stdout) as Array<
        { name: string; paused: boolean }
      >;
      assert.deepEqual(ls.find((p) => p.name === "gpu")?.paused, true);
      const inspect = await run("inspect", "gpu");
      assert.match(inspect.stdout, /Paused\s+yes\nDescription\s+big boxes/);
      assert.equal((await run("resume", "gpu")).stdout.trim(), `Work pool gpu resumed (${where})`);
      assert.equal((await run("delete", "gpu")).stdout.trim(), `Deleted work pool gpu (${where})`);
      const gone = await run("inspect", "gpu");
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /^Error: .*"gpu".*/);
    });
  }
});

Deno.test("concurrency-limit and its alias gcl: create, update, inspect, ls, delete, bad numbers", async () => {
  await using home = await tempHome();
  await using server = startTestServer();
  const gcl = (...args: string[]) =>
    ironflow(home.path, ["gcl", ...args], { env: { IRONFLOW_API_URL: server.url } });
  const created = await gcl("create", "db", "--limit", "2");
  assert.equal(created.code, 0, created.stderr);
  assert.equal(
    created.stdout.trim(),
    `Created concurrency limit db: 0/2 slots in use, decay 0/s (server ${server.url})`,
  );
  await gcl("update", "db", "--limit", "5", "--slot-decay-per-second", "0.5");
  const inspect = JSON.parse((await gcl("inspect", "db", "--json")).stdout);
  assert.deepEqual([inspect.limit, inspect.slot_decay_per_second], [5, 0.5]);
  const ls = await ironflow(home.path, ["concurrency-limit", "ls", "--api-url", server.url]);
  assert.match(ls.stdout, /^db\s+5\s+0\s+0\.5$/m);
  const bad = await gcl("create", "other", "--limit", "two");
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim(), 'Error: --limit must be a whole number of 0 or more, got "two"');
  assert.equal(
    (await gcl("delete", "db")).stdout.trim(),
    `Deleted concurrency limit db (server ${server.url})`,
  );
  const embedded = await ironflow(home.path, ["gcl", "ls", "--json"]);
  assert.deepEqual(JSON.parse(embedded.stdout), [], "nothing was written to the embedded home");
});
