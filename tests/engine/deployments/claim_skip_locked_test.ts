/**
 * On PostgreSQL a claim reads its candidates with `FOR UPDATE SKIP LOCKED`: a
 * queue entry another session holds is left out, not waited on, and is
 * claimable again once that session ends. (Run under `.ci/with_postgres`.)
 */
import assert from "node:assert/strict";
import { createPostgresStore } from "../../../engine/mod.ts";
import { claimRuns, createDeploymentRun } from "../../../engine/deployments/mod.ts";
import { freshPostgresSchema, POSTGRES_SKIP, POSTGRES_URL } from "../_helpers.ts";
import { fixture } from "./_helpers.ts";

const HOLDER = new URL("../../testdata/engine/pg_row_lock_holder.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

Deno.test({
  name: `PostgreSQL: a claim skips a queue entry another session holds and takes the next one${
    POSTGRES_URL === undefined ? ` (${POSTGRES_SKIP})` : ""
  }`,
  ignore: POSTGRES_URL === undefined,
  async fn() {
    await using fresh = freshPostgresSchema();
    await using f = fixture(createPostgresStore(POSTGRES_URL!, { schema: fresh.schema }));
    const d = await f.deployments.create({ name: "skip", entrypoint: "./a.ts:a" });
    const first = await createDeploymentRun(f.engine, d);
    f.clock.tick(1_000);
    const second = await createDeploymentRun(f.engine, d);

    const holder = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", CONFIG, HOLDER, POSTGRES_URL!, fresh.schema, first.id],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      const { value } = await lines.read();
      assert.equal(value?.trim(), "locked");
      // Without SKIP LOCKED the claim would wait for the holder (which lets go
      // after 20 s at the latest) and then hand out the first run, due earlier.
      const claimed = await claimRuns(f.engine, "default", { workerId: "w1", limit: 2 });
      assert.deepEqual(claimed.map((c) => c.run.id), [second.id], "the held entry is skipped");
      assert.equal(f.engine.getRun(first.id)!.state, "SCHEDULED");
    } finally {
      await holder.stdin.close();
      await lines.cancel();
      await holder.status;
    }
    const later = await claimRuns(f.engine, "default", { workerId: "w2" });
    assert.deepEqual(later.map((c) => c.run.id), [first.id], "claimable once the session ended");
  },
});
