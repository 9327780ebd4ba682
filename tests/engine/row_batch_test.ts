import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { RowBatch } from "../../engine/store/_row_batch.ts";

Deno.test("RowBatch writes every queued row once, in order, whatever the count", async (t) => {
  for (const count of [0, 1, 3, 4, 17, 63, 64, 65, 129, 150]) {
    await t.step(`${count} rows`, () => {
      const db = new DatabaseSync(":memory:");
      db.exec("CREATE TABLE items (n INTEGER PRIMARY KEY, label TEXT, extra TEXT)");
      const batch = new RowBatch(db, "INSERT INTO items (n, label, extra)", 3);
      for (let n = 1; n <= count; n++) batch.add([n, `item ${n}`, n % 2 ? null : "even"]);
      batch.flush();
      assert.equal(batch.size, 0);
      const rows = db.prepare("SELECT n, label, extra FROM items ORDER BY rowid").all();
      assert.equal(rows.length, count);
      rows.forEach((row, i) => {
        assert.deepEqual({ ...row }, {
          n: i + 1,
          label: `item ${i + 1}`,
          extra: (i + 1) % 2 ? null : "even",
        });
      });
      db.close();
    });
  }
});

Deno.test("RowBatch.clear() drops queued rows and rejects rows of the wrong width", () => {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE items (n INTEGER, label TEXT)");
  const batch = new RowBatch(db, "INSERT INTO items (n, label)", 2);
  batch.add([1, "one"]);
  assert.equal(batch.size, 1);
  batch.clear();
  batch.flush();
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM items").get() as { n: number }).n, 0);
  assert.throws(() => batch.add([1]), /A row needs 2 values, got 1/);
  db.close();
});
