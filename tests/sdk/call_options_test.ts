import assert from "node:assert/strict";
import { callOptions, flow, task } from "../../sdk/mod.ts";
import { nextTurn, taskRunNamed, taskRunsOf, testPlane } from "./_helpers.ts";

Deno.test("map() with a last callOptions({ waitFor }) waits and passes only the elements", async () => {
  await using plane = testPlane();
  const order: string[] = [];
  const first = task({ name: "first" }, async () => {
    for (let i = 0; i < 5; i++) await nextTurn();
    order.push("first");
  });
  const seen: unknown[][] = [];
  const each = task({ name: "each" }, async (...args: unknown[]) => {
    seen.push(args);
    order.push(`each ${String(args[0])}`);
    return await Promise.resolve(args[0]);
  });
  const fan = flow({ name: "fan" }, async () => {
    const up = first.submit();
    return await Promise.all(each.map([1, 2], callOptions({ waitFor: [up] })));
  });

  const outcome = await fan.runWith({ plane });

  assert.deepEqual(outcome.result, [1, 2]);
  assert.deepEqual(seen.map((args) => args.length), [1, 1], "options are not an argument");
  assert.equal(order[0], "first");
  const up = taskRunNamed(plane, outcome.runId, "first");
  const mapped = taskRunsOf(plane, outcome.runId).filter((run) => run.name === "each");
  assert.equal(mapped.length, 2);
  for (const run of mapped) assert.deepEqual(run.upstream, [{ runId: up.id, kind: "waitFor" }]);
});

Deno.test("map() and submit() pass a user's plain object argument through untouched", async () => {
  await using plane = testPlane();
  const echo = task(
    { name: "echo" },
    async (x: number, config: { waitFor: string }) =>
      await Promise.resolve(`${x}:${config.waitFor}`),
  );
  const pipeline = flow({ name: "pipeline" }, async () => {
    // Not iterable: passed whole to every mapped run, as JavaScript callers may do.
    const whole = { waitFor: "declared" } as unknown as Iterable<{ waitFor: string }>;
    const mapped = await Promise.all(echo.map([1, 2], whole));
    const submitted = await echo.submit(3, { waitFor: "declared" });
    return [...mapped, submitted];
  });

  const outcome = await pipeline.runWith({ plane });

  assert.deepEqual(outcome.result, ["1:declared", "2:declared", "3:declared"]);
});

Deno.test("an option-shaped last plain object past the parameters is a TypeError", async (t) => {
  await using plane = testPlane();
  const one = task({ name: "one" }, async (x: number) => await Promise.resolve(x));
  // Untyped callers (JavaScript, or code written for the old plain-object form).
  const loose = one as unknown as Record<"map" | "submit", (...args: unknown[]) => unknown>;
  const calls = {
    "map": (up: unknown) => loose.map([1, 2], { waitFor: [up] }),
    "submit": (up: unknown) => loose.submit(1, { waitFor: [up], detach: true }),
  };
  for (const [method, call] of Object.entries(calls)) {
    await t.step(method, async () => {
      const pipeline = flow({ name: "pipeline" }, () => {
        const up = one.submit(0);
        call(up);
      });
      const outcome = await pipeline.runWith({ plane });
      assert.equal(outcome.state.type, "FAILED");
      assert.ok(outcome.error instanceof TypeError);
      assert.match(outcome.error.message, new RegExp(`Cannot ${method} task "one".*callOptions`));
    });
  }
});

Deno.test("callOptions({}) at the end passes an option-shaped object as an argument", async () => {
  await using plane = testPlane();
  const show = task({ name: "show" }, async (...args: unknown[]) => await Promise.resolve(args));
  const pipeline = flow({ name: "pipeline" }, async () => {
    return await show.submit({ detach: true }, callOptions({}));
  });

  const outcome = await pipeline.runWith({ plane });

  assert.deepEqual(outcome.result, [{ detach: true }]);
});

Deno.test("callOptions() refuses unknown keys and bad values with a TypeError", async (t) => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    // @ts-expect-error: not an option
    ["unknown key", () => callOptions({ waitfor: [] }), /Unknown task call option "waitfor"/],
    // @ts-expect-error: not futures
    ["waitFor of values", () => callOptions({ waitFor: [1] }), /waitFor must be a list/],
    // @ts-expect-error: not a boolean
    ["detach not boolean", () => callOptions({ detach: "yes" }), /detach must be true or false/],
    // @ts-expect-error: not an object
    ["not an object", () => callOptions([]), /needs an object/],
  ];
  for (const [name, make, message] of cases) {
    await t.step(name, () =>
      assert.throws(make, (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, message);
        return true;
      }));
  }
});

Deno.test("callOptions() anywhere but last is a TypeError", async () => {
  await using plane = testPlane();
  const one = task({ name: "one" }, async (x: number) => await Promise.resolve(x));
  const pipeline = flow({ name: "pipeline" }, () => {
    // @ts-expect-error: options go last
    one.map(callOptions({}), [1]);
  });

  const outcome = await pipeline.runWith({ plane });

  assert.match(outcome.error?.message ?? "", /callOptions\(\) must be the last argument/);
});
