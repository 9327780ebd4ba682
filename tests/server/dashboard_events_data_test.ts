import assert from "node:assert/strict";
import { appendEvents, type EventFilter, readEvents } from "../../engine/events/mod.ts";
import type { StoreReader } from "../../engine/mod.ts";
import { recentEvents } from "../../server/dashboard/events_data.ts";
import { createLocalControlPlane, flow } from "../../sdk/mod.ts";
import { FakeClock, testEngine } from "../ui/_fixtures.ts";

// Every page of the newest-first reader, joined.
function allNewestFirst(
  reader: StoreReader,
  options: { limit: number; scanLimit?: number; filter?: EventFilter },
  now: number,
): string[] {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = recentEvents(reader, {
      filter: options.filter ?? {},
      cursor,
      limit: options.limit,
      now,
      ...(options.scanLimit ? { scanLimit: options.scanLimit } : {}),
    });
    ids.push(...page.items.map((e) => e.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
  throw new Error("Paging did not end");
}

async function seed(clock: FakeClock) {
  const t = testEngine(clock);
  const plane = createLocalControlPlane(t.engine, clock);
  const hello = flow({ name: "hello" }, () => 1);
  for (let i = 0; i < 40; i++) {
    clock.tick(i % 7 === 0 ? 600_000 : 1_500);
    if (i % 5 === 0) await hello.runWith({ plane });
    await t.engine.transact((tx) =>
      appendEvents(tx, [{ event: `acme.e${i % 3}`, resource: `acme.r.${i % 4}` }], {
        now: clock.now(),
      })
    );
  }
  return t;
}

Deno.test("recentEvents() pages through the whole log in exactly the reverse of the forward reader", async (ctx) => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  await using t = await seed(clock);
  const forward = (filter = {}) =>
    readEvents(t.engine.reader, { filter, limit: 10_000, now: clock.now() }).items.map((e) => e.id)
      .reverse();
  for (
    const [name, limit, filter] of [
      ["pages of 7", 7, {}],
      ["one page", 500, {}],
      ["name prefix", 4, { prefixes: ["acme.e1"] }],
      ["resource prefix", 3, { resources: ["acme.r.2*"] }],
      ["state changes only", 5, { prefixes: ["ironflow.flow-run."] }],
    ] as const
  ) {
    await ctx.step(name, () => {
      const expected = forward(filter);
      assert.ok(expected.length > 0);
      assert.deepEqual(allNewestFirst(t.engine.reader, { limit, filter }, clock.now()), expected);
    });
  }
});

Deno.test("recentEvents() keeps making progress when a page's scan budget runs out", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  await using t = await seed(clock);
  const expected = readEvents(t.engine.reader, {
    filter: { prefixes: ["acme.e2"] },
    limit: 10_000,
    now: clock.now(),
  }).items.map((e) => e.id).reverse();
  const got = allNewestFirst(
    t.engine.reader,
    { limit: 50, scanLimit: 3, filter: { prefixes: ["acme.e2"] } },
    clock.now(),
  );
  assert.deepEqual(got, expected);
});
