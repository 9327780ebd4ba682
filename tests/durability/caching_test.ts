import assert from "node:assert/strict";
import { acquireSlots, FakeClock } from "../../engine/mod.ts";
import { flow, INPUTS, NONE, task, TASK_SOURCE } from "../../sdk/mod.ts";
import { historyOf, lastEventTo, taskRunNamed, testPlane } from "./_helpers.ts";

Deno.test("caching: INPUTS serves a second flow run's call from the cache", async () => {
  await using plane = testPlane();
  let priced = 0;
  const price = task(async (sku: string) => {
    priced += 1;
    return await Promise.resolve({ sku, cents: 499 });
  }, { cachePolicy: INPUTS });
  const quote = flow({ name: "cache-inputs-hit" }, async (sku: string) => await price(sku));

  const first = await quote.runWith({ plane }, "apple");
  const second = await quote.runWith({ plane }, "apple");

  assert.equal(priced, 1, "the body ran for the cache hit");
  assert.deepEqual(second.result, { sku: "apple", cents: 499 });
  assert.equal(second.state.type, "COMPLETED");
  const original = taskRunNamed(plane, first.runId, "price");
  const cached = taskRunNamed(plane, second.runId, "price");
  assert.equal(original.stateName, "Completed");
  assert.deepEqual(historyOf(plane, cached.id), ["PENDING Pending", "COMPLETED Cached"]);
  const hit = lastEventTo(plane, cached.id, "COMPLETED")!;
  assert.equal(hit.data?.["cache_hit"], true);
  assert.equal(hit.data?.["cachedFrom"], original.id);
  assert.equal(cached.runCount, 0, "a cache hit never ran");
});

Deno.test("caching: different inputs miss the cache", async () => {
  await using plane = testPlane();
  const priced: string[] = [];
  const price = task(async (sku: string) => {
    priced.push(sku);
    return await Promise.resolve(sku.length);
  }, { cachePolicy: INPUTS });
  const quote = flow({ name: "cache-inputs-miss" }, async (sku: string) => await price(sku));

  await quote.runWith({ plane }, "apple");
  const second = await quote.runWith({ plane }, "banana");

  assert.equal(second.result, 6);
  assert.deepEqual(priced, ["apple", "banana"]);
  assert.equal(taskRunNamed(plane, second.runId, "price").stateName, "Completed");
});

Deno.test("caching: INPUTS.add(TASK_SOURCE) misses when the task's source changes", async () => {
  await using plane = testPlane();
  const policy = INPUTS.add(TASK_SOURCE);
  assert.equal(policy.toString(), "INPUTS+TASK_SOURCE");
  assert.equal(NONE.toString(), "NONE");
  const bodies: string[] = [];
  const v1 = task({ name: "score", cachePolicy: policy }, async (x: number) => {
    bodies.push("v1");
    return await Promise.resolve(x + 1);
  });
  const v2 = task({ name: "score", cachePolicy: policy }, async (x: number) => {
    bodies.push("v2");
    return await Promise.resolve(x + 2);
  });
  const withV1 = flow({ name: "cache-source-v1" }, async () => await v1(10));
  const withV2 = flow({ name: "cache-source-v2" }, async () => await v2(10));

  await withV1.runWith({ plane });
  const again = await withV1.runWith({ plane });
  const edited = await withV2.runWith({ plane });

  assert.equal(again.result, 11);
  assert.equal(edited.result, 12, "an edited task served the old source's result");
  assert.deepEqual(bodies, ["v1", "v2"]);
  assert.equal(taskRunNamed(plane, again.runId, "score").stateName, "Cached");
});

Deno.test("caching: NONE never caches", async () => {
  await using plane = testPlane();
  let runs = 0;
  const uncached = task(async (x: number) => {
    runs += 1;
    return await Promise.resolve(x);
  }, { cachePolicy: NONE });
  const noCache = flow({ name: "cache-none" }, async () => await uncached(1));

  await noCache.runWith({ plane });
  await noCache.runWith({ plane });

  assert.equal(runs, 2);
});

Deno.test("caching: cacheKeyFn decides what makes two calls the same", async () => {
  await using plane = testPlane();
  const fetched: string[] = [];
  const fetchUser = task(async (user: { id: number; requestId: string }) => {
    fetched.push(user.requestId);
    return await Promise.resolve(`user ${user.id}`);
  }, { cacheKeyFn: ({ args }) => (args[0] as { id: number }).id });
  const lookUp = flow(
    { name: "cache-key-fn" },
    async (id: number, requestId: string) => await fetchUser({ id, requestId }),
  );

  await lookUp.runWith({ plane }, 7, "req-1");
  const sameUser = await lookUp.runWith({ plane }, 7, "req-2");
  const otherUser = await lookUp.runWith({ plane }, 8, "req-3");

  assert.equal(sameUser.result, "user 7");
  assert.equal(otherUser.result, "user 8");
  assert.deepEqual(fetched, ["req-1", "req-3"]);
  const hit = taskRunNamed(plane, sameUser.runId, "fetchUser");
  assert.equal(lastEventTo(plane, hit.id, "COMPLETED")?.data?.["cacheKey"], "fetchUser-7");
});

Deno.test("caching: an entry past cacheExpiration is recomputed", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  const start = clock.now();
  let rates = 0;
  const rate = task(async (pair: string) => {
    rates += 1;
    return await Promise.resolve(`${pair} #${rates}`);
  }, { cachePolicy: INPUTS, cacheExpiration: 60 });
  const convert = flow({ name: "cache-expiration" }, async () => await rate("EURUSD"));

  const first = await convert.runWith({ plane });
  clock.tick(59_999);
  const fresh = await convert.runWith({ plane });
  clock.tick(1);
  const expired = await convert.runWith({ plane });

  assert.equal(first.result, "EURUSD #1");
  assert.equal(fresh.result, "EURUSD #1", "still valid 1 ms before expiry");
  assert.equal(expired.result, "EURUSD #2");
  assert.equal(rates, 2);
  const stored = lastEventTo(plane, taskRunNamed(plane, first.runId, "rate").id, "COMPLETED")!;
  assert.equal(stored.data?.["cacheExpiresAt"], start + 60_000);
});

Deno.test("caching: refreshCache runs the body and stores the new result", async () => {
  await using plane = testPlane();
  let version = 0;
  const build = task(async (target: string) => {
    version += 1;
    return await Promise.resolve(`${target} v${version}`);
  }, { cachePolicy: INPUTS });
  const rebuild = build.with({ refreshCache: true });
  const cached = flow({ name: "cache-refresh-read" }, async () => await build("app"));
  const refreshing = flow({ name: "cache-refresh-write" }, async () => await rebuild("app"));

  assert.equal((await cached.runWith({ plane })).result, "app v1");
  const refreshed = await refreshing.runWith({ plane });
  const afterwards = await cached.runWith({ plane });

  assert.equal(refreshed.result, "app v2", "refreshCache served the cached value");
  assert.equal(taskRunNamed(plane, refreshed.runId, "build").stateName, "Completed");
  assert.equal(afterwards.result, "app v2", "the refreshed result was not stored");
  assert.equal(taskRunNamed(plane, afterwards.runId, "build").stateName, "Cached");
  assert.equal(version, 2);
});

Deno.test("caching: a cache hit does not fire the task's hooks again", async () => {
  await using plane = testPlane();
  const fired: string[] = [];
  const notify = task(async (to: string) => await Promise.resolve(`sent to ${to}`), {
    cachePolicy: INPUTS,
    onRunning: ({ taskRunId }) => void fired.push(`running ${taskRunId}`),
    onCompletion: ({ taskRunId, result }) => void fired.push(`completed ${taskRunId} ${result}`),
  });
  const alert = flow({ name: "cache-hooks" }, async () => await notify("ops"));

  const first = await alert.runWith({ plane });
  const second = await alert.runWith({ plane });

  assert.equal(second.result, "sent to ops");
  assert.equal(taskRunNamed(plane, second.runId, "notify").stateName, "Cached");
  const original = taskRunNamed(plane, first.runId, "notify").id;
  assert.deepEqual(fired, [`running ${original}`, `completed ${original} sent to ops`]);
});

Deno.test("caching: a cache hit does not wait for its tag's concurrency slot", async () => {
  await using plane = testPlane();
  const now = plane.timer.now();
  await plane.engine.transact((tx) =>
    tx.putConcurrencyLimit({
      name: "tag:db",
      limit: 1,
      slotDecayPerSecond: 0,
      activeSlots: 0,
      createdAt: now,
      updatedAt: now,
    })
  );
  let queried = 0;
  const query = task(async (sql: string) => {
    queried += 1;
    return await Promise.resolve(sql.length);
  }, { cachePolicy: INPUTS, tags: ["db"] });
  const report = flow({ name: "cache-tag-slot" }, async () => await query("select 1"));

  await report.runWith({ plane });
  const grant = await acquireSlots(plane.engine, plane.timer, { names: ["tag:db"] });
  assert.ok(grant.acquired, "the slot was not freed after the first run");
  const cached = await report.runWith({ plane }); // the only slot is held elsewhere

  assert.equal(cached.result, 8);
  assert.equal(queried, 1);
  const history = historyOf(plane, taskRunNamed(plane, cached.runId, "query").id);
  assert.deepEqual(history, ["PENDING Pending", "COMPLETED Cached"]);
});
