import assert from "node:assert/strict";
import { setRetention } from "../../../engine/catalog/mod.ts";
import {
  type ResultFile,
  type ResultFiles,
  sweepRetention,
} from "../../../engine/retention/mod.ts";
import { createArtifact, type Engine } from "../../../engine/mod.ts";
import { createFileResultStore } from "../../../sdk/results.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { catalogFixture, DAY, noPause, onEachStore, runIn, T0 } from "../catalog/_helpers.ts";

const HOUR = 3_600_000;

/** `sha256:` and 64 hex digits from a letter. */
function ref(letter: string): string {
  return `sha256:${letter.repeat(64)}`;
}

/** Result files in memory, each with its last write. */
function fakeFiles(files: Record<string, number>): ResultFiles & { refs(): string[] } {
  const stored = new Map(Object.entries(files));
  return {
    async *list(): AsyncGenerator<ResultFile> {
      for (const [name, modifiedAt] of stored) yield { ref: name, modifiedAt };
    },
    delete(name, { unusedSince }) {
      const modifiedAt = stored.get(name);
      if (modifiedAt === undefined || modifiedAt >= unusedSince) return Promise.resolve(false);
      return Promise.resolve(stored.delete(name));
    },
    refs: () => [...stored.keys()].sort(),
  };
}

/** A finished flow run of `name` whose COMPLETED event records `result`. */
async function runWithResult(engine: Engine, name: string, result: string | null) {
  const run = await runIn(engine, name, "RUNNING");
  const data = result === null
    ? undefined
    : { result: { kind: "ref", ref: result, size: 10, encoding: "json" } };
  await engine.propose(run.id, {
    to: "COMPLETED",
    token: `${run.id}-end`,
    kind: "finish",
    ...(data ? { data } : {}),
  });
  await engine.flush();
  return run;
}

Deno.test("sweepRetention() deletes the result files of purged runs that no surviving run references", async (t) => {
  await onEachStore(t, async ({ engine, clock, store }) => {
    // a: only a purged run's; s: shared by a purged and a kept run; y: a kept
    // run's result artifact; z: a live cache entry's; w: an expired cache
    // entry's only; u: nothing's; r: nothing's, but written within the grace.
    await runWithResult(engine, "etl", ref("a"));
    await runWithResult(engine, "etl", ref("s"));
    const kept = await runWithResult(engine, "kept-flow", ref("s"));
    await createArtifact(engine, clock, {
      type: "result",
      data: { ref: ref("b"), size: 10 },
      flowRunId: kept.id,
    });
    for (const [key, letter, expiresAt] of [["live", "c", null], ["old", "d", T0 + DAY]] as const) {
      store.putDocument({
        collection: "cache",
        key,
        ref: null,
        data: { result: { kind: "ref", ref: ref(letter), size: 1, encoding: "bytes" } },
        createdAt: T0,
        updatedAt: T0,
        expiresAt,
      });
    }
    await setRetention(engine, clock, "etl", 1);
    clock.tick(2 * DAY);
    await runWithResult(engine, "newer", null);
    const files = fakeFiles({
      [ref("a")]: T0,
      [ref("s")]: T0,
      [ref("b")]: T0,
      [ref("c")]: T0,
      [ref("d")]: T0,
      [ref("e")]: T0,
      [ref("f")]: clock.now() - HOUR / 2,
    });

    const without = await sweepRetention(engine, clock, { pause: noPause });
    assert.equal(without.roots, 2);
    assert.equal(without.results, 0, "a sweep without the files leaves them to the next");
    assert.equal(files.refs().length, 7);

    const swept = await sweepRetention(engine, clock, { pause: noPause, results: files });
    assert.equal(swept.roots, 0);
    assert.equal(swept.results, 3);
    assert.deepEqual(files.refs(), [ref("b"), ref("c"), ref("f"), ref("s")]);

    const idle = await sweepRetention(engine, clock, {
      pause: noPause,
      results: fakeFiles({ [ref("e")]: T0 }),
    });
    assert.equal(idle.results, 0, "with nothing purged since, nothing is collected");
  });
});

Deno.test("the file result store lists, keeps reused files and deletes unused ones", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ironflow_result_files_test_" });
  try {
    const store = createFileResultStore(folder);
    const files = store.files!;
    const bytes = (text: string) => new TextEncoder().encode(text);
    const kept = await store.put(bytes("kept"));
    const gone = await store.put(bytes("gone"));
    await Deno.writeTextFile(`${folder}/${gone.slice(7, 9)}/${gone.slice(7)}.x.tmp`, "partial");
    const long = new Date(Date.now() - 10 * DAY);
    for (const name of [kept, gone]) {
      await Deno.utime(`${folder}/${name.slice(7, 9)}/${name.slice(7)}`, long, long);
    }
    const listed = await Array.fromAsync(files.list());
    assert.deepEqual(listed.map((file) => file.ref).sort(), [gone, kept].sort());
    assert.ok(listed.every((file) => file.modifiedAt < Date.now() - 9 * DAY));

    // Storing the same bytes again marks the file used.
    assert.equal(await store.put(bytes("kept")), kept);
    const unusedSince = Date.now() - DAY;
    assert.equal(await files.delete(kept, { unusedSince }), false);
    assert.equal(await files.delete(gone, { unusedSince }), true);
    assert.equal(await files.delete(gone, { unusedSince }), false, "already gone");
    assert.deepEqual(new TextDecoder().decode(await store.get(kept)), "kept");
    assert.equal(await store.get(gone), undefined);
    assert.equal(await store.put(bytes("gone")), gone, "a collected result can be stored again");
    assert.deepEqual(new TextDecoder().decode(await store.get(gone)), "gone");
    assert.deepEqual(
      await Array.fromAsync(createFileResultStore(`${folder}/none`).files!.list()),
      [],
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("the services loop's sweep collects the result files it was given", async () => {
  await using f = catalogFixture();
  await runWithResult(f.engine, "etl", ref("a"));
  f.clock.tick(2 * DAY);
  await runWithResult(f.engine, "report", null);
  await setRetention(f.engine, f.clock, "etl", 1);
  const resultFiles = fakeFiles({ [ref("a")]: T0 });
  await createScheduler({ engine: f.engine, clock: f.clock, resultFiles }).tick();
  assert.deepEqual(resultFiles.refs(), []);
});
