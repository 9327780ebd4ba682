import assert from "node:assert/strict";
import { createEngine, createIdSource, systemClock } from "../../../engine/mod.ts";
import {
  claimRuns,
  createDeploymentRun,
  DeploymentService,
  updateWorkPool,
} from "../../../engine/deployments/mod.ts";
import { createSqliteStore, fixture, tempDb } from "./_helpers.ts";

const CLAIMER = new URL("../../testdata/deployments/claim_worker.ts", import.meta.url).pathname;

Deno.test("8 concurrent claimers of one run: exactly one wins", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "race", entrypoint: "./a.ts:a" });
  const run = await createDeploymentRun(f.engine, d);
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => claimRuns(f.engine, "default", { workerId: `w${i}` })),
  );
  const winners = results.flat();
  assert.equal(winners.length, 1);
  assert.equal(winners[0]!.run.id, run.id);
  assert.equal(f.engine.getRun(run.id)!.state, "PENDING");
  const claimEvents = f.engine.events(run.id).filter((e) => e.kind === "claim");
  assert.equal(claimEvents.length, 1);
});

Deno.test("an empty queue, a paused pool and runs not yet due yield no claim", async () => {
  await using f = fixture();
  assert.deepEqual(await claimRuns(f.engine, "default", { workerId: "w" }), []);
  const d = await f.deployments.create({ name: "later", entrypoint: "./a.ts:a" });
  await createDeploymentRun(f.engine, d, { expectedStartTime: f.clock.now() + 60_000 });
  assert.deepEqual(await claimRuns(f.engine, "default", { workerId: "w" }), []);
  f.clock.tick(60_000);
  await updateWorkPool(f.engine, "default", { paused: true });
  assert.deepEqual(await claimRuns(f.engine, "default", { workerId: "w" }), []);
  await updateWorkPool(f.engine, "default", { paused: false });
  assert.equal((await claimRuns(f.engine, "default", { workerId: "w" })).length, 1);
});

Deno.test("claims come in due order and respect the limit", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "order", entrypoint: "./a.ts:a" });
  const now = f.clock.now();
  const late = await createDeploymentRun(f.engine, d, { expectedStartTime: now - 1000 });
  const early = await createDeploymentRun(f.engine, d, { expectedStartTime: now - 5000 });
  await createDeploymentRun(f.engine, d, { expectedStartTime: now });
  const claimed = await claimRuns(f.engine, "default", { workerId: "w", limit: 2 });
  assert.deepEqual(claimed.map((c) => c.run.id), [early.id, late.id]);
  await assert.rejects(
    claimRuns(f.engine, "default", { workerId: "w", leaseSeconds: 0 }),
    /Lease must be 1 to 3600 seconds/,
  );
});

interface Child {
  process: Deno.ChildProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  lines: AsyncIterator<string>;
}

function lineReader(stream: ReadableStream<Uint8Array>): AsyncIterator<string> {
  const reader = stream.pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>)
    .getReader();
  let buffer = "";
  return {
    async next() {
      while (!buffer.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) return { value: undefined, done: true };
        buffer += value;
      }
      const at = buffer.indexOf("\n");
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      return { value: line, done: false };
    },
  };
}

function spawn(path: string, workerId: string): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLAIMER, path, workerId],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  return { process, writer: process.stdin.getWriter(), lines: lineReader(process.stdout) };
}

Deno.test("two processes claiming from one SQLite file never claim a run twice", async () => {
  await using db = await tempDb();
  const store = createSqliteStore(db.path);
  const engine = createEngine({ store, clock: systemClock, ids: createIdSource() });
  try {
    const deployments = new DeploymentService(engine);
    const d = await deployments.create({ name: "shared", entrypoint: "./a.ts:a" });
    const runs = await Promise.all(
      Array.from({ length: 40 }, () => createDeploymentRun(engine, d)),
    );
    const children = [spawn(db.path, "p1"), spawn(db.path, "p2")];
    for (const child of children) assert.equal((await child.lines.next()).value, "ready");
    const go = new TextEncoder().encode("go\n");
    await Promise.all(children.map((child) => child.writer.write(go)));
    const answers = await Promise.all(children.map(async (child) => {
      const line = (await child.lines.next()).value!;
      await child.writer.close();
      assert.equal((await child.process.status).code, 0);
      return (JSON.parse(line) as { claimed: string[] }).claimed;
    }));
    const all = answers.flat();
    assert.equal(all.length, runs.length, `claimed ${answers.map((a) => a.length).join(" + ")}`);
    assert.equal(new Set(all).size, runs.length, "no run claimed twice");
    for (const run of runs) {
      const claims = engine.events(run.id).filter((e) => e.kind === "claim");
      assert.equal(claims.length, 1, `run ${run.id} claimed once`);
    }
  } finally {
    await engine.close();
  }
});
