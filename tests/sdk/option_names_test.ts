// Prefect 3's flow and task decorators take keyword arguments and Python refuses an
// unknown one at once ("Write and run flows" / "Write and run tasks",
// docs.prefect.io/v3/develop/write-flows, /write-tasks): IronFlow does the same for
// every options object, and names the nearest valid spelling.
import assert from "node:assert/strict";
import { callOptions, flow, InvalidOptionError, serve, task } from "../../sdk/mod.ts";
import { nearestName } from "../../sdk/option_names.ts";
import { testPlane } from "./_helpers.ts";

const body = async () => await Promise.resolve(1);

function assertRefused(define: () => unknown, pattern: RegExp): void {
  assert.throws(define, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError, `not an InvalidOptionError: ${error}`);
    assert.match((error as Error).message, pattern);
    return true;
  });
}

Deno.test("write-tasks: an unknown task option is refused with the nearest valid name", async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { cache_policy: 1 },
      /Unknown option "cache_policy" of task "t": did you mean "cachePolicy"\?/,
    ],
    [{ retry_delay_seconds: 2 }, /"retry_delay_seconds".*did you mean "retryDelaySeconds"/],
    [{ retires: 2 }, /"retires".*did you mean "retries"/],
    [{ log_prints: true }, /did you mean "logPrints"/],
    [{ zzz: 1 }, /Unknown option "zzz" of task "t": valid options are "name", .*"module"/],
    [
      { taskRunner: {} },
      /Option "taskRunner" does not belong to task "t": it is an option of flow\(\)/,
    ],
    [
      { flowRunName: "x" },
      /Option "flowRunName" does not belong to task "t": it is an option of flow\(\)/,
    ],
    [
      { resultStorageKey: "x" },
      /Option "resultStorageKey" of task "t" is not supported by IronFlow/,
    ],
  ];
  for (const [options, pattern] of cases) {
    await t.step(Object.keys(options)[0]!, () => {
      assertRefused(() => task(body, { name: "t", ...options }), pattern);
      assertRefused(() => task(body, { name: "t" }).with({ name: "t", ...options }), pattern);
    });
  }
});

Deno.test("write-flows: an unknown flow option is refused, never ignored", () => {
  assertRefused(
    () => flow({ name: "etl", final_state: "explicit" } as never, body),
    /Unknown option "final_state" of flow "etl": did you mean "finalState"\?/,
  );
  assertRefused(
    () => flow({ name: "etl", cachePolicy: 1 } as never, body),
    /"cachePolicy" does not belong to flow "etl": it is an option of task\(\)/,
  );
  assertRefused(
    () => flow({ name: "etl", validateParameters: false } as never, body),
    /Option "validateParameters" of flow "etl" is not supported by IronFlow/,
  );
  const ok = flow({ name: "etl", retries: 1 }, body);
  assert.throws(
    () => ok.runWith({ run_id: "x" } as never),
    /Unknown option "run_id" of runWith\(\) of flow "etl": did you mean "runId"\?/,
  );
});

Deno.test("submit and map: Prefect's wait_for is refused, not passed on as an argument", () => {
  assertRefused(
    () => callOptions({ wait_for: [] } as never),
    /Unknown task call option "wait_for": did you mean "waitFor"\?/,
  );
  const inc = task(async (x: number) => await Promise.resolve(x + 1));
  const run = flow(async () => {
    await inc.submit(1, { wait_for: [] } as never);
  });
  return assert.rejects(run(), /looks like call options \(wait_for\)/);
});

Deno.test("serve(): a per-flow option passed as a process option is refused", async () => {
  await using plane = testPlane();
  const hello = flow({ name: "hello" }, body);
  await assert.rejects(
    () => serve(hello, { plane, cron: "@hourly" } as never),
    /Option "cron" does not belong to serve\(\): it is set per flow: serve\(\{ flow, options: \{ cron \} \}\)/,
  );
  await assert.rejects(
    () => serve({ flow: hello, options: { crn: "@hourly" } as never }, { plane }),
    /Unknown option "crn" of serve\(\) of flow "hello": did you mean "cron"\?/,
  );
  await assert.rejects(
    () => hello.serve({ plane, intervall: 60 } as never),
    /Unknown option "intervall" of serve\(\) of flow "hello": did you mean "interval"\?/,
  );
  assert.equal((await plane.deployments!.list()).length, 0, "nothing was registered");
});

Deno.test("nearestName() folds case, underscores and dashes, then allows small typos", () => {
  assert.equal(nearestName("work-pool", ["work_pool", "workers"]), "work_pool");
  assert.equal(nearestName("tmeout", ["timeout", "tags"]), "timeout");
  assert.equal(nearestName("completely_else", ["timeout", "tags"]), undefined);
});
