/**
 * Large results of a flow run through the remote control plane land in the
 * server's results folder, so a retry on another worker, whose disk never saw
 * them, restores them instead of running the task again.
 */
import assert from "node:assert/strict";
import { startTestServer } from "./_server.ts";
import { createRemoteControlPlane, flow, retryFlowRun, task } from "../../sdk/mod.ts";
import { createFileResultStore, type StoredResult, storedResultOf } from "../../sdk/results.ts";

const SIZE = 100 * 1024;
let extractCalls = 0;
let loadFails = true;
const extract = task({ name: "extract-large" }, (n: number) => {
  extractCalls += 1;
  return Array.from({ length: SIZE / 10 }, (_, i) => `row-${n}-${i}`.padEnd(9, "."));
});
const load = task({ name: "load-large" }, (rows: string[]) => {
  if (loadFails) throw new Error("warehouse is down");
  return rows.length;
});
const largeEtl = flow(
  { name: "large-etl", persistResult: true },
  async (n: number) => await load(await extract(n)),
);

Deno.test("a large task result is kept by the server and restored by a retry on a fresh worker", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow-results-" });
  try {
    const serverResults = createFileResultStore(`${dir}/server/results`);
    await using server = startTestServer({ results: serverResults });

    // Worker A runs the first attempt and fails after the large task completed.
    const workerA = createRemoteControlPlane({
      url: server.url,
      resultCache: createFileResultStore(`${dir}/worker-a/results`),
    });
    loadFails = true;
    extractCalls = 0;
    let first;
    try {
      first = await largeEtl.runWith({ plane: workerA }, 3);
    } finally {
      await workerA.close();
    }
    assert.equal(first.state.type, "FAILED");
    assert.equal(extractCalls, 1);

    const [extracted] = server.engine.listRuns({ kind: "task", parentId: first.runId }).items
      .filter((t) => t.name === "extract-large");
    const stored = storedResultOf(server.engine.events(extracted!.id).at(-1)!.data) as
      & StoredResult
      & { kind: "ref" };
    assert.equal(stored.kind, "ref");
    assert.ok(stored.size > 64 * 1024);
    const hex = stored.ref.slice("sha256:".length);
    const file = `${dir}/server/results/${hex.slice(0, 2)}/${hex}`;
    assert.equal((await Deno.stat(file)).size, stored.size, "the file is in the server's folder");
    const swept = await Array.fromAsync(serverResults.files!.list());
    assert.deepEqual(swept.map((f) => f.ref), [stored.ref], "the retention sweep sees it");

    // Worker A's disk is gone; worker B, with an empty cache, runs the retry.
    await Deno.remove(`${dir}/worker-a`, { recursive: true });
    const workerB = createRemoteControlPlane({
      url: server.url,
      resultCache: createFileResultStore(`${dir}/worker-b/results`),
    });
    loadFails = false;
    let second;
    try {
      second = await retryFlowRun(first.runId, { plane: workerB });
      await workerB.flush();
    } finally {
      await workerB.close();
    }
    assert.equal(second.state.type, "COMPLETED");
    assert.equal(second.result, SIZE / 10);
    assert.equal(extractCalls, 1, "the large task was restored, not run again");
    const tasks = server.engine.listRuns({ kind: "task", parentId: second.runId }).items;
    assert.deepEqual(tasks.map((t) => `${t.name}:${t.stateName}`).sort(), [
      "extract-large:Cached",
      "load-large:Completed",
    ]);
    // Worker B cached what it downloaded.
    assert.ok((await Deno.stat(`${dir}/worker-b/results/${hex.slice(0, 2)}/${hex}`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
