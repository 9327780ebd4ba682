import assert from "node:assert/strict";
import { ownPlanCache, removeAbandonedPlanCaches } from "../../sdk/_plan_cache_dir.ts";
import { spawnIronflow, tempHome } from "../cli/_cli.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const DAY_MS = 24 * 3_600_000;

async function withParent(fn: (parent: string) => Promise<void>): Promise<void> {
  const parent = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_plan_dirs_" }));
  try {
    await fn(parent);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

Deno.test("a SIGKILLed worker's plan cache is removed by the next worker that starts; a live worker's stays", async () => {
  await withParent(async (parent) => {
    await using home = await tempHome();
    // Worker processes make their directory in the system's temporary directory: here, `parent`.
    const env = { TMPDIR: parent, TMP: parent, TEMP: parent };
    await using killed = spawnIronflow(home.path, ["worker", "start", "--pool", "a"], { env });
    await using alive = spawnIronflow(home.path, ["worker", "start", "--pool", "b"], { env });
    const dirOf = async (worker: typeof killed) =>
      /plan cache (\S+)/.exec(await worker.waitFor(/plan cache \S+\n/))![1]!;
    const killedDir = await dirOf(killed);
    const aliveDir = await dirOf(alive);
    assert.ok(killedDir.startsWith(`${parent}/ironflow_plans_`), killedDir);
    assert.notEqual(killedDir, aliveDir);

    const killedExit = await killed.stop("SIGKILL");
    assert.equal(killedExit.code, 137);
    assert.ok(await exists(killedDir), "a killed worker cannot remove its own directory");

    // The next worker starts: the killed worker's directory goes, the live one's stays.
    const next = ownPlanCache({ parent });
    assert.ok(next);
    assert.ok(next.dir.startsWith(`${parent}/ironflow_plans_`), next.dir);
    assert.equal(await exists(killedDir), false);
    assert.ok(await exists(aliveDir), "a running worker keeps its directory");
    assert.deepEqual(
      removeAbandonedPlanCaches(parent, Date.now()),
      [],
      "nothing else is abandoned",
    );
    await next.release();
    assert.equal(await exists(next.dir), false);

    const aliveExit = await alive.stop("SIGTERM");
    assert.equal(aliveExit.code, 0, aliveExit.stderr);
    assert.equal(await exists(aliveDir), false, "a stopped worker removes its own directory");
  });
});

Deno.test("plan-cache directories without an owner file go once they are a day old", async () => {
  await withParent(async (parent) => {
    // Left by a worker that kept no owner file, and one killed before it locked its owner file.
    const legacy = `${parent}/ironflow_plans_legacy`;
    const staging = `${parent}/ironflow_plans-new_abc`;
    const unrelated = `${parent}/ironflow_planner_notes`;
    for (const dir of [legacy, staging, unrelated]) await Deno.mkdir(dir);
    await Deno.writeTextFile(`${legacy}/plan.json`, "{}");
    const now = Date.now();
    assert.deepEqual(removeAbandonedPlanCaches(parent, now + DAY_MS - 60_000), []);
    assert.deepEqual(
      removeAbandonedPlanCaches(parent, now + DAY_MS + 60_000).sort(),
      [staging, legacy].sort(),
    );
    assert.ok(await exists(unrelated), "only plan-cache directories are touched");
  });
});

Deno.test("a directory whose owner file is locked by this process is never taken as abandoned", async () => {
  await withParent(async (parent) => {
    const first = ownPlanCache({ parent })!;
    const second = ownPlanCache({ parent, now: Date.now() + 10 * DAY_MS })!;
    assert.ok(
      await exists(first.dir),
      "a second worker in the same process keeps the first one's directory",
    );
    await first.release();
    await second.release();
    assert.deepEqual([...Deno.readDirSync(parent)], []);
  });
});
