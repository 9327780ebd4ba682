/**
 * `ironflow concurrency-limit reset` (and `gcl reset`), Prefect 3 docs
 * "Global concurrency limits" (`prefect gcl reset`): frees the slots in use,
 * on the embedded home and on a server, naming where it wrote.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../e2e/_server.ts";
import { ironflow, tempHome } from "./_cli.ts";

Deno.test("gcl reset frees held slots, embedded and on a server; a holder's late release changes nothing", async (t) => {
  await using home = await tempHome();
  await using server = startTestServer();
  await Deno.writeTextFile(`${home.path}/acquire.json`, JSON.stringify({ names: ["db"] }));
  const targets = [
    ["embedded", [], `home ${home.path}`],
    ["server", ["--api-url", server.url], `server ${server.url}`],
  ] as const;
  for (const [label, flag, where] of targets) {
    await t.step(label, async () => {
      const run = (...args: string[]) =>
        ironflow(home.path, [...flag, ...args], { cwd: home.path });
      assert.equal((await run("gcl", "create", "db", "--limit", "1")).code, 0);
      const held = JSON.parse(
        (await run("api", "POST", "/concurrency-limits/acquire", "--data", "@acquire.json"))
          .stdout,
      );
      assert.equal(held.acquired, true);
      const reset = await run("concurrency-limit", "reset", "db");
      assert.equal(reset.code, 0, reset.stderr);
      assert.equal(
        reset.stdout.trim(),
        `Reset concurrency limit db: freed 1 slot; now db: 0/1 slots in use, decay 0/s (${where})`,
      );
      const late = await run("api", "POST", `/concurrency-leases/${held.lease_id}/release`);
      assert.equal(JSON.parse(late.stdout).released, false);
      const after = JSON.parse((await run("gcl", "inspect", "db", "--json")).stdout);
      assert.equal(after.active_slots, 0);
      const missing = await run("gcl", "reset", "nope");
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^Error: Concurrency limit "nope" does not exist/);
    });
  }
});
