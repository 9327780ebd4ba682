/**
 * `ironflow server start --queue`: the embedded worker claims from the named queues of its pool
 * only (Prefect 3 "Work pools", docs.prefect.io/v3/concepts/work-pools: a worker may poll some
 * of a pool's queues).
 */
import assert from "node:assert/strict";
import { spawnIronflow, tempHome } from "./_cli.ts";

const FLOWS = new URL("../testdata/deployments/", import.meta.url).pathname;

Deno.test("server start --queue: the embedded worker runs the runs of that queue, not the others", async () => {
  await using home = await tempHome();
  await using server = spawnIronflow(home.path, [
    "server",
    "start",
    "--port",
    "0",
    "--no-services",
    "--queue",
    "batch",
  ]);
  // No idle connections: nothing of the test outlives it.
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const text = await server.waitFor(/auth .*\n/);
    assert.match(text, /^ {2}worker +embedded, on work pool "default" \(queues "batch"\)$/m);
    const base = text.match(/http:\/\/[\d.]+:\d+/)![0];
    const api = async (path: string, body?: unknown) => {
      const res = await fetch(`${base}/api${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json" },
        client,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return await res.json();
    };
    for (const [name, queue] of [["in-batch", "batch"], ["in-default", "default"]]) {
      await api("/deployments", {
        name,
        entrypoint: `${FLOWS}flows.ts:add`,
        parameters: { a: 1, b: 2 },
        work_queue: queue,
      });
    }
    const batch = await api("/deployments/in-batch/run", {});
    const other = await api("/deployments/in-default/run", {});
    let state = "";
    for (let i = 0; i < 300 && state !== "COMPLETED" && state !== "FAILED"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = (await api(`/flow-runs/${batch.id}`)).run?.state ?? "";
    }
    assert.equal(state, "COMPLETED");
    assert.equal((await api(`/flow-runs/${other.id}`)).run?.state, "SCHEDULED");
  } finally {
    client.close();
  }
});
