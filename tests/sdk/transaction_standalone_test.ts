/**
 * Transactions outside flows, as Prefect 3's "Transactions" page
 * (docs.prefect.io/v3/develop/transactions) allows: a plain script groups the
 * tasks it calls directly, rolls them back on failure and skips a committed key.
 */
import assert from "node:assert/strict";
import { task, transaction } from "../../sdk/mod.ts";
import { assertKeyHoldsAcrossProcesses, journaled, testPlane } from "./_helpers.ts";
import type { LocalControlPlane } from "../../sdk/mod.ts";

function transactionRuns(plane: LocalControlPlane) {
  return plane.engine.listRuns({ kind: "task", sort: "created", order: "asc", limit: 100 }).items
    .filter((run) => run.name === "transaction");
}

Deno.test("transactions outside a flow: directly called tasks commit together, in order", async () => {
  await using plane = testPlane();
  const journal: string[] = [];
  const { write, index } = journaled(journal);

  const result = await transaction({ plane }, async () => {
    await write(1);
    await index(2);
    return "ok";
  });

  assert.equal(result, "ok");
  assert.deepEqual(journal, ["commit write", "commit index"]);
  const [txn] = transactionRuns(plane);
  assert.equal(txn!.state, "COMPLETED");
  assert.equal(txn!.parentId, null);
  const members = plane.engine.listRuns({ kind: "task", sort: "created", order: "asc", limit: 100 })
    .items.filter((run) => run.name !== "transaction").map((run) => run.id);
  const data = plane.engine.events(txn!.id).at(-1)!.data!;
  assert.deepEqual((data["transaction"] as { committed: string[] }).committed, members);
});

Deno.test("transactions outside a flow: a failure rolls back the tasks newest first and rethrows", async () => {
  await using plane = testPlane();
  const journal: string[] = [];
  const { write, index, publish } = journaled(journal);
  const explode = task({ name: "explode" }, async (): Promise<void> => {
    await Promise.reject(new Error("validation failed"));
  });

  await assert.rejects(
    transaction({ key: "batch-7", plane }, async () => {
      await write(1);
      await index(2);
      await explode();
      await publish(3);
    }),
    /validation failed/,
  );

  assert.deepEqual(journal, ["rollback index=2", "rollback write=1"]);
  const [txn] = transactionRuns(plane);
  assert.equal(txn!.state, "FAILED");
  assert.equal(txn!.stateName, "RolledBack");
});

Deno.test("transactions outside a flow: a committed key skips the block and returns its result", async () => {
  await using plane = testPlane();
  let ran = 0;
  const stage = task({ name: "stage" }, async () => await Promise.resolve("staged"));
  const load = () =>
    transaction({ key: "load-2024-05-01", plane }, async (txn) => {
      ran++;
      txn.set("rows", 42);
      return await stage();
    });

  assert.equal(await load(), "staged");
  assert.equal(await load(), "staged");
  await transaction({ key: "load-2024-05-01", plane }, () => {
    ran++;
  });
  assert.equal(ran, 1);
  assert.deepEqual(transactionRuns(plane).map((run) => run.stateName), [
    "Completed",
    "Cached",
    "Cached",
  ]);
});

Deno.test("transactions outside a flow: a plain script's committed key holds across processes", async () => {
  await assertKeyHoldsAcrossProcesses("transaction_script.ts");
});
