import assert from "node:assert/strict";
import {
  assertJsonSafe,
  createFileResultStore,
  createMemoryResultStore,
  decodeResult,
  encodeResult,
  inlineLimitBytes,
  ResultNotSerializableError,
  type StoredResult,
} from "../../sdk/results.ts";

Deno.test("encodeResult() and decodeResult() round-trip JSON values inline", async (t) => {
  const store = createMemoryResultStore();
  const values: Array<[string, unknown]> = [
    ["null", null],
    ["zero", 0],
    ["a negative float", -12.5],
    ["a string with unicode", "naïve ☃ 🚀"],
    ["a boolean", false],
    ["an empty array", []],
    ["an empty object", {}],
    ["nested data", { rows: [{ id: 1, tags: ["a", "b"] }, { id: 2, tags: [] }], ok: true }],
    ["a null-prototype object", Object.assign(Object.create(null), { a: 1 })],
  ];
  for (const [label, value] of values) {
    await t.step(label, async () => {
      const stored = await encodeResult(value, store);
      assert.equal(stored.kind, "inline");
      // The stored form travels through the history as JSON.
      const travelled = JSON.parse(JSON.stringify(stored)) as StoredResult;
      assert.deepEqual(await decodeResult(travelled, store), JSON.parse(JSON.stringify(value)));
    });
  }
});

Deno.test("encodeResult() records undefined as no result", async () => {
  const store = createMemoryResultStore();
  const stored = await encodeResult(undefined, store);
  assert.deepEqual(stored, { kind: "none" });
  assert.equal(await decodeResult(stored, store), undefined);
});

Deno.test("assertJsonSafe() rejects what JSON cannot hold, naming the path", async (t) => {
  class Point {
    constructor(readonly x: number) {}
  }
  const circular: Record<string, unknown> = { name: "loop" };
  circular["self"] = circular;
  const cases: Array<[string, unknown, RegExp]> = [
    ["NaN", { stats: { mean: NaN } }, /^result\.stats\.mean is NaN, which JSON cannot hold$/],
    ["Infinity", [1, Infinity], /^result\[1\] is Infinity, which JSON cannot hold$/],
    ["a function", { onDone: () => {} }, /^result\.onDone is a function, which JSON cannot hold$/],
    ["a bigint", { id: 1n }, /^result\.id is a bigint, which JSON cannot hold$/],
    ["a class instance", { at: new Point(1) }, /^result\.at is a Point, not a plain object$/],
    ["a Date", [new Date(0)], /^result\[0\] is a Date, not a plain object$/],
    ["a Map", new Map(), /^result is a Map, not a plain object$/],
    ["an undefined property", { a: undefined }, /^result\.a is undefined$/],
    ["a circular reference", circular, /^result\.self is a circular reference$/],
  ];
  for (const [label, value, message] of cases) {
    await t.step(label, async () => {
      const named = (error: unknown) => {
        assert.ok(error instanceof ResultNotSerializableError);
        assert.ok(error instanceof TypeError);
        assert.equal(error.name, "ResultNotSerializableError");
        assert.match(error.message, message);
        return true;
      };
      assert.throws(() => assertJsonSafe(value), named);
      await assert.rejects(encodeResult(value, createMemoryResultStore()), named);
    });
  }
});

Deno.test("assertJsonSafe() accepts the same object twice when it is not circular", () => {
  const shared = { unit: "kg" };
  assertJsonSafe({ a: shared, b: shared, list: [shared, shared] });
});

Deno.test("encodeResult() moves a value over the inline limit to the result store", async () => {
  const store = createMemoryResultStore();
  const value = { text: "abcdefghij" };
  const size = new TextEncoder().encode(JSON.stringify(value)).byteLength;

  assert.equal(
    (await encodeResult(value, store, size)).kind,
    "inline",
    "at the limit stays inline",
  );
  const stored = await encodeResult(value, store, size - 1);
  assert.equal(stored.kind, "ref");
  assert.ok(stored.kind === "ref");
  assert.equal(stored.encoding, "json");
  assert.equal(stored.size, size);
  assert.deepEqual(await decodeResult(stored, store), value);
});

Deno.test("encodeResult() always stores bytes by reference", async () => {
  const store = createMemoryResultStore();
  const bytes = new Uint8Array([1, 2, 3]);
  const stored = await encodeResult(bytes, store);
  assert.ok(stored.kind === "ref");
  assert.deepEqual([stored.encoding, stored.size], ["bytes", 3]);
  const decoded = await decodeResult(stored, store);
  assert.ok(decoded instanceof Uint8Array);
  assert.deepEqual(Array.from(decoded), [1, 2, 3]);
});

Deno.test("decodeResult() of a reference missing from the store names it", async () => {
  const ref = `sha256:${"0".repeat(64)}`;
  await assert.rejects(
    decodeResult({ kind: "ref", ref, size: 1, encoding: "json" }, createMemoryResultStore()),
    { message: `Result "${ref}" is missing from the result store` },
  );
});

Deno.test("createFileResultStore() stores the same bytes once, addressed by their content", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ironflow_results_" });
  try {
    const store = createFileResultStore(folder);
    const bytes = new TextEncoder().encode("same content");
    const first = await store.put(bytes);
    const second = await store.put(bytes.slice());
    const other = await store.put(new TextEncoder().encode("other content"));

    assert.equal(first, second);
    assert.notEqual(first, other);
    assert.match(first, /^sha256:[0-9a-f]{64}$/);
    const hex = first.slice("sha256:".length);
    const files = await Array.fromAsync(Deno.readDir(`${folder}/${hex.slice(0, 2)}`));
    assert.deepEqual(files.map((entry) => entry.name), [hex], "one file, no temporaries left");
    assert.deepEqual(await store.get(first), bytes);
    assert.equal(await store.get(`sha256:${"f".repeat(64)}`), undefined);
    await assert.rejects(store.get("sha256:../../etc/passwd"), RangeError);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("createFileResultStore() round-trips a large encoded result", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ironflow_results_" });
  try {
    const store = createFileResultStore(folder);
    const value = { rows: Array.from({ length: 100 }, (_, i) => ({ i, name: `row ${i}` })) };
    const stored = await encodeResult(value, store, 16);
    assert.equal(stored.kind, "ref");
    // A second store over the same folder (another process) reads it back.
    assert.deepEqual(await decodeResult(stored, createFileResultStore(folder)), value);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("inlineLimitBytes() reads IRONFLOW_RESULT_INLINE_MAX_BYTES", async () => {
  const previous = Deno.env.get("IRONFLOW_RESULT_INLINE_MAX_BYTES");
  try {
    Deno.env.delete("IRONFLOW_RESULT_INLINE_MAX_BYTES");
    assert.equal(inlineLimitBytes(), 64 * 1024);
    Deno.env.set("IRONFLOW_RESULT_INLINE_MAX_BYTES", "8");
    assert.equal(inlineLimitBytes(), 8);
    const stored = await encodeResult("more than eight", createMemoryResultStore());
    assert.equal(stored.kind, "ref");
    Deno.env.set("IRONFLOW_RESULT_INLINE_MAX_BYTES", "lots");
    assert.equal(inlineLimitBytes(), 64 * 1024, "a malformed value falls back to the default");
  } finally {
    if (previous === undefined) Deno.env.delete("IRONFLOW_RESULT_INLINE_MAX_BYTES");
    else Deno.env.set("IRONFLOW_RESULT_INLINE_MAX_BYTES", previous);
  }
});
