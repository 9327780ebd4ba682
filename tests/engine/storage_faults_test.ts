import assert from "node:assert/strict";
import {
  createEngine,
  createSqliteStore,
  FakeClock,
  SequentialIds,
  StorageError,
  storageErrorOf,
} from "../../engine/mod.ts";

function sqliteError(message: string, errcode?: number): Error {
  return Object.assign(new Error(message), {
    code: "ERR_SQLITE_ERROR",
    ...(errcode !== undefined ? { errcode } : {}),
  });
}

Deno.test("storageErrorOf() maps SQLite's full-disk, I/O and corruption errors, and nothing else", async (t) => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ["full disk (Deno: message only)", sqliteError("database or disk is full"), "storage_full"],
    ["full disk (Node: errcode)", sqliteError("whatever", 13), "storage_full"],
    ["I/O error, extended code", sqliteError("disk I/O error", 10 | (3 << 8)), "storage_io_error"],
    ["malformed", sqliteError("database disk image is malformed"), "storage_corrupt"],
    ["not a database", sqliteError("file is not a database"), "storage_corrupt"],
    ["constraint", sqliteError("UNIQUE constraint failed: events.id", 19), undefined],
    ["plain error with the same words", new Error("database or disk is full"), undefined],
    ["not an error", "database or disk is full", undefined],
  ];
  for (const [name, error, code] of cases) {
    await t.step(name, () => {
      const mapped = storageErrorOf(error);
      assert.equal(mapped?.code, code);
      if (mapped) {
        assert.ok(mapped instanceof StorageError);
        assert.equal(mapped.cause, error);
      }
    });
  }
});

/** Overwrites 8 KiB in the middle of the file, as a bad sector or a stray write would. */
async function damage(path: string): Promise<void> {
  const { size } = await Deno.stat(path);
  using file = await Deno.open(path, { write: true });
  await file.seek(Math.floor(size / 2 / 4096) * 4096, Deno.SeekMode.Start);
  await file.write(new Uint8Array(8192).fill(0x5a));
}

Deno.test("a damaged database is refused at open with the way out, unless the check is skipped", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/ironflow.db`;
    const engine = createEngine({
      store: createSqliteStore(path),
      clock: new FakeClock(),
      ids: new SequentialIds("run"),
    });
    await Promise.all(Array.from({ length: 400 }, () => engine.createFlowRun({ name: "etl" })));
    await engine.close();
    createSqliteStore(path, { integrityCheck: true }).close(); // whole: opens
    await damage(path);
    assert.throws(
      () => createSqliteStore(path, { integrityCheck: true }),
      (error: unknown) => {
        assert.ok(error instanceof StorageError);
        assert.equal(error.code, "storage_corrupt");
        assert.match(error.message, /failed its integrity check/);
        assert.match(error.message, /ironflow db export --skip-integrity-check/);
        assert.match(error.message, /backup_restore\.md/);
        return true;
      },
    );
    // The escape hatch: without the check it opens, so what is readable can be exported.
    createSqliteStore(path).close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createSqliteStore() takes synchronous normal or full and refuses anything else", () => {
  createSqliteStore(":memory:", { synchronous: "full" }).close();
  createSqliteStore(":memory:", { synchronous: "normal" }).close();
  assert.throws(
    // @ts-expect-error: not a setting
    () => createSqliteStore(":memory:", { synchronous: "off" }),
    RangeError,
  );
});
