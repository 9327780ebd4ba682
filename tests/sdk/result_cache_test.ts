import assert from "node:assert/strict";
import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../../engine/mod.ts";
import { createApp } from "../../server/mod.ts";
import { createRemoteControlPlane } from "../../sdk/mod.ts";
import { createResultCache, resultCacheMaxBytes } from "../../sdk/result_cache.ts";
import { createMemoryResultStore, resultRef } from "../../sdk/results.ts";

const T0 = 1_700_000_000_000;

function blob(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) % 251);
}

/** A temporary cache folder with a fake clock for the cache's dates. */
async function cacheDir() {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_result_cache_test_" });
  const clock = new FakeClock(T0);
  return {
    dir,
    clock,
    now: () => clock.now(),
    /** Whether the file of `ref` is in the folder. */
    async has(ref: string): Promise<boolean> {
      const hex = ref.slice("sha256:".length);
      try {
        await Deno.stat(`${dir}/${hex.slice(0, 2)}/${hex}`);
        return true;
      } catch {
        return false;
      }
    },
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("createResultCache() evicts the least recently used results once a write passes maxBytes", async () => {
  await using f = await cacheDir();
  const cache = createResultCache(f.dir, { maxBytes: 1000, now: f.now });
  const refs: string[] = [];
  for (const seed of [1, 2, 3]) {
    f.clock.tick(1000);
    refs.push(await cache.put(blob(300, seed)));
  }
  f.clock.tick(1000);
  assert.deepEqual(await cache.get(refs[0]!), blob(300, 1), "read: now the most recent but one");
  f.clock.tick(1000);
  const fourth = await cache.put(blob(300, 4));
  // 1200 bytes > 1000: down to at most 900, the least recently used first.
  assert.deepEqual(
    await Promise.all([refs[0]!, refs[1]!, refs[2]!, fourth].map(f.has)),
    [true, false, true, true],
  );
  assert.equal(await cache.get(refs[1]!), undefined);
});

Deno.test("createResultCache() never evicts a held result until it is released", async () => {
  await using f = await cacheDir();
  const cache = createResultCache(f.dir, { maxBytes: 500, now: f.now });
  const held = await cache.hold(blob(300, 1));
  f.clock.tick(1000);
  const later = await cache.put(blob(300, 2));
  assert.equal(await f.has(held), true, "held, though least recently used");
  assert.equal(await f.has(later), false);
  // Another process on the same folder sees the hold too.
  const other = createResultCache(f.dir, { maxBytes: 0, now: f.now });
  await other.put(blob(10, 3));
  assert.equal(await f.has(held), true);
  await cache.release(held);
  f.clock.tick(1000);
  const last = await cache.put(blob(300, 4));
  assert.equal(await f.has(held), false, "released: evicted like any other");
  assert.equal(await f.has(last), true);
});

Deno.test("createResultCache() with maxBytes 0 keeps only held results", async () => {
  await using f = await cacheDir();
  const cache = createResultCache(f.dir, { maxBytes: 0, now: f.now });
  const kept = await cache.hold(blob(100, 1));
  const gone = await cache.put(blob(100, 2));
  assert.deepEqual([await f.has(kept), await f.has(gone)], [true, false]);
});

Deno.test("resultCacheMaxBytes() reads IRONFLOW_RESULT_CACHE_MAX_BYTES and refuses a bad value", () => {
  const before = Deno.env.get("IRONFLOW_RESULT_CACHE_MAX_BYTES");
  try {
    Deno.env.delete("IRONFLOW_RESULT_CACHE_MAX_BYTES");
    assert.equal(resultCacheMaxBytes(), 256 * 1024 * 1024);
    Deno.env.set("IRONFLOW_RESULT_CACHE_MAX_BYTES", "1048576");
    assert.equal(resultCacheMaxBytes(), 1_048_576);
    Deno.env.set("IRONFLOW_RESULT_CACHE_MAX_BYTES", "1 GiB");
    assert.throws(() => resultCacheMaxBytes(), RangeError);
  } finally {
    if (before === undefined) Deno.env.delete("IRONFLOW_RESULT_CACHE_MAX_BYTES");
    else Deno.env.set("IRONFLOW_RESULT_CACHE_MAX_BYTES", before);
  }
});

/** A remote plane on an app's handler; `duringPut` runs while an upload is in flight. */
function remotePlane(
  options: { dir: string; now: () => number; results?: boolean },
  duringPut: () => Promise<void> = () => Promise.resolve(),
) {
  const clock = new FakeClock(T0);
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  const server = createMemoryResultStore();
  const app = createApp({
    engine,
    clock,
    ...(options.results === false ? {} : { results: server }),
  });
  const cache = createResultCache(options.dir, { maxBytes: 0, now: options.now });
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (request.method === "PUT") await duringPut();
      return await app.fetch(request);
    },
    timer: { now: () => T0, sleep: () => Promise.resolve() },
    resultCache: cache,
  });
  return { plane, server, cache };
}

Deno.test("the remote plane's cache keeps a result until the server acknowledged its upload", async () => {
  await using f = await cacheDir();
  const bytes = blob(100_000, 1);
  const ref = await resultRef(bytes);
  const seen: boolean[] = [];
  const { plane, server, cache } = remotePlane(f, async () => {
    // Another write during the upload passes the limit (0): the held copy stays.
    await cache.put(blob(10, 2));
    seen.push(await f.has(ref));
  });
  try {
    assert.equal(await plane.results.put(bytes), ref);
    assert.deepEqual(seen, [true]);
    assert.deepEqual(await server.get(ref), bytes, "uploaded");
    assert.equal(await f.has(ref), false, "acknowledged, then evicted");
    assert.deepEqual(await plane.results.get(ref), bytes, "downloaded again");
  } finally {
    await plane.close();
  }
});

Deno.test("the remote plane's cache holds results for good when the server stores none", async () => {
  await using f = await cacheDir();
  const { plane, cache } = remotePlane({ ...f, results: false });
  const error = console.error;
  console.error = () => {};
  try {
    const first = await plane.results.put(blob(100_000, 1));
    const second = await plane.results.put(blob(100_000, 2));
    await cache.put(blob(10, 3));
    assert.deepEqual([await f.has(first), await f.has(second)], [true, true]);
    assert.deepEqual(await plane.results.get(first), blob(100_000, 1));
  } finally {
    console.error = error;
    await plane.close();
  }
});
