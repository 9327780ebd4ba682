/**
 * Transactions from Prefect 3's "Transactions" page (docs.prefect.io/v3/develop/transactions):
 * commit and rollback hooks, rollback in reverse order on failure, idempotent keys (also across
 * processes), nesting, isolation and `get_transaction()` values.
 */
import assert from "node:assert/strict";
import { flow, getTransaction, task, transaction, type TransactionStore } from "../../sdk/mod.ts";
import { assertKeyHoldsAcrossProcesses, journaled, taskRunsOf, testPlane } from "./_helpers.ts";

const explode = task({ name: "explode" }, async (): Promise<void> => {
  await Promise.reject(new Error("validation failed"));
});

Deno.test("transactions: a block that succeeds commits its tasks' hooks in order", async () => {
  await using plane = testPlane();
  const journal: string[] = [];
  const { write, index } = journaled(journal);
  const pipeline = flow({ name: "pipeline" }, async () =>
    await transaction({}, async () => {
      await write(1);
      await index(2);
      return "ok";
    }));

  const outcome = await pipeline.runWith({ plane });

  assert.equal(outcome.result, "ok");
  assert.deepEqual(journal, ["commit write", "commit index"]);
  const txn = taskRunsOf(plane, outcome.runId).find((run) => run.name === "transaction")!;
  assert.equal(txn.state, "COMPLETED");
  const data = plane.engine.events(txn.id).at(-1)!.data!;
  assert.equal((data["transaction"] as { committed: string[] }).committed.length, 2);
});

Deno.test("transactions: a failure rolls back the completed tasks, newest first", async () => {
  await using plane = testPlane();
  const journal: string[] = [];
  const { write, index, publish } = journaled(journal);
  const pipeline = flow({ name: "pipeline", finalState: "prefect" }, async () => {
    try {
      await transaction({ key: "batch-7" }, async () => {
        await write(1);
        await index(2);
        await explode();
        await publish(3); // never runs
      });
    } catch (error) {
      return `caught: ${(error as Error).message}`;
    }
  });

  const outcome = await pipeline.runWith({ plane });

  assert.equal(outcome.result, "caught: validation failed");
  assert.deepEqual(journal, ["rollback index=2", "rollback write=1"]);
  const txn = taskRunsOf(plane, outcome.runId).find((run) => run.name === "transaction")!;
  assert.equal(txn.state, "FAILED");
  assert.equal(txn.stateName, "RolledBack");
  assert.match(txn.message ?? "", /Rolled back: validation failed/);
});

Deno.test("transactions: a committed key skips the block and restores its result and values", async () => {
  await using plane = testPlane();
  let ran = 0;
  const stage = task({ name: "stage" }, async () => await Promise.resolve("staged"));
  const load = flow(
    { name: "load" },
    async () =>
      await transaction({ key: "load-2024-05-01" }, async (txn) => {
        ran++;
        txn.set("rows", 42);
        return await stage();
      }).then((result) => [result, getTransaction(), ran]),
  );
  const reader = flow(
    { name: "reader" },
    async () =>
      await transaction({ key: "load-2024-05-01" }, (txn) => {
        ran++;
        return txn.get("never");
      }).then(async () =>
        await transaction({ key: "load-2024-05-01" }, () => "unused").then(() => ran)
      ),
  );
  const values = flow({ name: "values" }, async () => {
    let seen: unknown;
    await transaction({ key: "load-2024-05-01" }, () => "unused");
    await transaction({}, async () => {
      await transaction({ key: "load-2024-05-01" }, (txn) => {
        seen = txn.get("rows");
      });
      seen = getTransaction()?.get("rows", "only in the committed one");
    });
    return seen;
  });

  assert.deepEqual((await load.runWith({ plane })).result, ["staged", undefined, 1]);
  assert.deepEqual((await load.runWith({ plane })).result, ["staged", undefined, 1]);
  assert.equal((await reader.runWith({ plane })).result, 1);
  assert.equal((await values.runWith({ plane })).result, "only in the committed one");
});

Deno.test("transactions: a committed key is found by another process", async () => {
  await assertKeyHoldsAcrossProcesses("transaction_flow.ts");
});

Deno.test("transactions: nested ones commit with the outermost, and roll back with it", async (t) => {
  await using plane = testPlane();
  await t.step("an outer failure rolls back the inner transaction's tasks too", async () => {
    const journal: string[] = [];
    const { write, index } = journaled(journal);
    const nested = flow({ name: "nested", finalState: "explicit" }, async () => {
      await transaction({}, async () => {
        await write(1);
        await transaction({ key: "inner-1" }, async () => await index(2));
        assert.deepEqual(journal, [], "the inner commit waits for the outer one");
        await explode();
      }).catch(() => {});
    });
    await nested.runWith({ plane });
    assert.deepEqual(journal, ["rollback index=2", "rollback write=1"]);
  });
  await t.step("an inner failure the outer catches rolls back only the inner tasks", async () => {
    const journal: string[] = [];
    const { write, index } = journaled(journal);
    const nested = flow({ name: "nested-caught", finalState: "explicit" }, async () => {
      await transaction({}, async () => {
        await write(1);
        await transaction({}, async () => {
          await index(2);
          await explode();
        }).catch(() => {});
      });
    });
    await nested.runWith({ plane });
    assert.deepEqual(journal, ["rollback index=2", "commit write"]);
  });
});

Deno.test("transactions: SERIALIZABLE runs one block per key at a time; the other sees the commit", async () => {
  await using plane = testPlane();
  let ran = 0;
  const slow = task({ name: "slow" }, async () => await new Promise((r) => setTimeout(r, 5, "x")));
  const once = flow(
    { name: "once" },
    async () =>
      await transaction({ key: "exclusive", isolation: "SERIALIZABLE" }, async () => {
        ran++;
        return await slow();
      }),
  );
  const outcomes = await Promise.all([once.runWith({ plane }), once.runWith({ plane })]);
  assert.deepEqual(outcomes.map((o) => o.result), ["x", "x"]);
  assert.equal(ran, 1);
});

Deno.test("transactions: a custom store keeps the committed records", async () => {
  await using plane = testPlane();
  const records = new Map<string, unknown>();
  const store: TransactionStore = {
    read: (key) => records.get(key) as never,
    write: (key, record) => void records.set(key, record),
  };
  let ran = 0;
  const job = flow({ name: "job" }, async () =>
    await transaction({ key: "k", store }, () => {
      ran++;
      return 5;
    }));
  assert.equal((await job.runWith({ plane })).result, 5);
  assert.equal((await job.runWith({ plane })).result, 5);
  assert.equal(ran, 1);
  assert.deepEqual(records.get("k"), { result: 5, values: {} });
});

Deno.test("transactions: bad options are refused by name", async () => {
  await assert.rejects(
    () => transaction({ kye: "x" } as never, () => 1),
    /Unknown option "kye" of transaction\(\): did you mean "key"\?/,
  );
});
