import assert from "node:assert/strict";
import { FakeClock } from "../../engine/mod.ts";
import { createRemoteControlPlane, flow, RemoteUnavailableError, task } from "../../sdk/mod.ts";
import { backoffDelay } from "../../sdk/http_client.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { testServer } from "../server/_helpers.ts";
import { until } from "./_helpers.ts";

/** A fetch into a test server that can be taken away and brought back. */
function switchableServer() {
  const server = testServer();
  const state = { down: false, attempts: 0 };
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    state.attempts += 1;
    if (state.down) return Promise.reject(new TypeError("Connection refused (os error 111)"));
    return Promise.resolve(server.app.fetch(new Request(input, init)));
  };
  return { server, state, fetch };
}

/** Moves the fake clock in `stepMs` steps while `pending()` holds, up to `maxMs`. */
async function runClock(clock: FakeClock, pending: () => boolean, stepMs: number, maxMs: number) {
  for (let spent = 0; pending() && spent < maxMs; spent += stepMs) {
    await until(() => clock.pendingSleepers > 0 || !pending(), "a request to back off");
    clock.tick(stepMs);
  }
}

Deno.test("backoffDelay() doubles from the base, caps at the maximum, and jitters the upper half", () => {
  const cases: Array<[number, number, number]> = [
    [1, 0, 50],
    [1, 0.5, 75],
    [3, 0, 200],
    [10, 0, 2500],
    [40, 0.5, 3750],
  ];
  for (const [attempt, random, expected] of cases) {
    assert.equal(backoffDelay(attempt, 100, 5000, () => random), expected);
  }
});

Deno.test("a request keeps retrying through an outage shorter than the window", async () => {
  const clock = new FakeClock();
  const { server, state, fetch } = switchableServer();
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch,
    timer: clock,
    outageMs: 60_000,
    random: () => 0.5,
  });
  state.down = true;
  let settled = false;
  const answer = plane.getRun("nope").finally(() => settled = true);

  await runClock(clock, () => true, 1000, 40_000);
  assert.equal(settled, false, "gave up inside the window");
  state.down = false;
  await runClock(clock, () => !settled, 1000, 10_000);

  assert.equal(await answer, undefined);
  assert.ok(state.attempts > 8, `only ${state.attempts} attempts in 40 s`);
  await plane.close();
  server.close();
});

Deno.test("past the outage window a request fails with RemoteUnavailableError naming the server", async () => {
  const clock = new FakeClock();
  const sleeps: number[] = [];
  const { server, state, fetch } = switchableServer();
  const timer = {
    now: () => clock.now(),
    sleep: (ms: number, signal?: AbortSignal) => {
      sleeps.push(ms);
      return clock.sleep(ms, signal);
    },
  };
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch,
    timer,
    outageMs: 30_000,
    maxBackoffMs: 4000,
  });
  state.down = true;
  const start = clock.now();
  let error: unknown;
  const answer = plane.getRun("r1").catch((e) => error = e);

  await runClock(clock, () => error === undefined, 500, 60_000);
  await answer;

  assert.ok(error instanceof RemoteUnavailableError, String(error));
  assert.match(error.message, /http:\/\/localhost:4200 unreachable.*30000 ms.*Connection refused/);
  assert.ok(Math.max(...sleeps) <= 4000, `a backoff above the cap: ${sleeps}`);
  const spent = clock.now() - start;
  assert.ok(spent >= 30_000 && spent <= 30_500, `gave up after ${spent} ms`);
  await plane.close();
  server.close();
});

Deno.test("a flow run rides out a server outage in the middle and completes", async () => {
  const clock = new FakeClock();
  const { server, state, fetch } = switchableServer();
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch,
    timer: clock,
    outageMs: 120_000,
    results: createMemoryResultStore(),
  });
  const first = task({ name: "first" }, () => {
    state.down = true; // the server goes away while the task runs
    return 1;
  });
  const second = task({ name: "second" }, (x: number) => x + 1);
  const pipeline = flow({ name: "pipeline" }, async () => await second(await first()));

  let done = false;
  const outcome = pipeline.runWith({ plane }).finally(() => done = true);
  await runClock(clock, () => !done && clock.now() < 1_700_000_060_000, 1000, 60_000);
  assert.equal(done, false);
  state.down = false;
  await runClock(clock, () => !done, 1000, 60_000);

  const result = await outcome;
  assert.equal(result.state.type, "COMPLETED");
  assert.equal(result.result, 2);
  assert.equal(server.engine.getRun(result.runId)!.state, "COMPLETED");
  await plane.close();
  server.close();
});

Deno.test("a flow run whose server stays away fails its call with RemoteUnavailableError", async () => {
  const clock = new FakeClock();
  const { server, state, fetch } = switchableServer();
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch,
    timer: clock,
    outageMs: 10_000,
    results: createMemoryResultStore(),
  });
  const first = task({ name: "first" }, () => {
    state.down = true;
    return 1;
  });
  const pipeline = flow({ name: "pipeline" }, async () => await first());

  const outcome = pipeline.runWith({ plane }).then(
    (o) => ({ o, error: undefined }),
    (e) => ({ o: undefined, error: e }),
  );
  let settled = false;
  void outcome.finally(() => settled = true);
  await runClock(clock, () => !settled, 1000, 60_000);
  const { o, error: thrown } = await outcome;

  const failure = thrown ?? o?.error;
  assert.ok(failure instanceof Error, `no error: ${JSON.stringify(o)}`);
  assert.match(String(failure.message), /unreachable/);
  await plane.close();
  server.close();
});
