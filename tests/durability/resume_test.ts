import assert from "node:assert/strict";
import { LogLevel } from "../../engine/mod.ts";
import {
  cancelFlowRun,
  flow,
  getRunContext,
  pauseFlowRun,
  resumeFlowRun,
  retryFlowRun,
  task,
} from "../../sdk/mod.ts";
import {
  flowRunsOf,
  historyOf,
  lastEventTo,
  logsOf,
  taskRunNamed,
  taskRunsOf,
  testPlane,
  until,
  untilAborted,
} from "./_helpers.ts";
import type { TestPlane } from "./_helpers.ts";

/** Whether the task run was restored from an earlier attempt instead of run. */
function restored(plane: TestPlane, runId: string): boolean {
  const run = plane.engine.getRun(runId)!;
  return run.state === "COMPLETED" && run.stateName === "Cached" &&
    lastEventTo(plane, runId, "COMPLETED")?.data?.["cache_hit"] === true;
}

Deno.test("resume: a task that returned nothing is skipped on retry without persistResult", async () => {
  await using plane = testPlane();
  let notified = 0;
  let failing = true;
  const notify = task(async (_who: string) => {
    notified += 1;
    await Promise.resolve();
  });
  const noneResult = flow({ name: "resume-none-result" }, async () => {
    await notify("ops");
    if (failing) throw new Error("boom after notify");
  });

  const first = await noneResult.runWith({ plane });
  assert.equal(first.state.type, "FAILED");
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.state.type, "COMPLETED");
  assert.equal(notified, 1, "the notify body ran again");
  const skipped = taskRunNamed(plane, second.runId, "notify");
  assert.ok(restored(plane, skipped.id));
  assert.deepEqual(lastEventTo(plane, skipped.id, "COMPLETED")?.data?.["result"], {
    kind: "none",
  });
});

Deno.test("resume: a persisted result is restored, flows downstream, and is recorded as Cached", async () => {
  await using plane = testPlane();
  const bodies = { extract: 0, transform: 0 };
  let failing = true;
  const extract = task(async (table: string) => {
    bodies.extract += 1;
    return await Promise.resolve({ table, rows: [1, 2, 3] });
  }, { persistResult: true });
  const transform = task(async (batch: { rows: number[] }) => {
    bodies.transform += 1;
    if (failing) throw new Error("transform is down");
    return await Promise.resolve(batch.rows.reduce((a, b) => a + b, 0));
  });
  const persisted = flow({ name: "resume-persisted" }, async () => {
    return await transform(extract.submit("orders"));
  });

  const first = await persisted.runWith({ plane });
  assert.equal(first.state.type, "FAILED");
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.state.type, "COMPLETED");
  assert.equal(second.result, 6, "the restored value reached transform");
  assert.deepEqual(bodies, { extract: 1, transform: 2 });
  const attempt2 = plane.engine.getRun(second.runId)!;
  assert.equal(attempt2.attempt, 2);
  assert.equal(attempt2.lineageId, plane.engine.getRun(first.runId)!.lineageId);
  const skipped = taskRunNamed(plane, second.runId, "extract");
  assert.deepEqual(historyOf(plane, skipped.id), [
    "PENDING Pending",
    "RUNNING Running",
    "COMPLETED Cached",
  ]);
  const events = plane.engine.events(skipped.id);
  assert.deepEqual(events.slice(1).map((e) => e.kind), ["resume", "resume"]);
  const completed = events.at(-1)!;
  assert.equal(completed.data?.["cache_hit"], true);
  assert.equal(completed.data?.["resumedFrom"], taskRunNamed(plane, first.runId, "extract").id);
  assert.deepEqual(completed.data?.["result"], {
    kind: "inline",
    value: { table: "orders", rows: [1, 2, 3] },
  });
});

Deno.test("resume: a task without persistResult runs again on retry", async () => {
  await using plane = testPlane();
  let computed = 0;
  let failing = true;
  const compute = task(async (x: number) => {
    computed += 1;
    return await Promise.resolve(x * 10);
  });
  const notPersisted = flow({ name: "resume-not-persisted" }, async () => {
    const value = await compute(4);
    if (failing) throw new Error("boom");
    return value;
  });

  const first = await notPersisted.runWith({ plane });
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.result, 40);
  assert.equal(computed, 2);
  const rerun = taskRunNamed(plane, second.runId, "compute");
  assert.equal(rerun.stateName, "Completed");
  assert.equal(rerun.runCount, 1);
});

Deno.test("resume: a persisted value JSON cannot hold is reported and recomputed on retry", async () => {
  await using plane = testPlane();
  let built = 0;
  let failing = true;
  const index = task(async (keys: string[]) => {
    built += 1;
    return await Promise.resolve(new Map(keys.map((key, i) => [key, i])));
  }, { persistResult: true });
  const nonJson = flow({ name: "resume-non-json" }, async () => {
    const map = await index(["a", "b"]);
    if (failing) throw new Error("boom");
    return map.size;
  });

  const first = await nonJson.runWith({ plane });
  const firstRun = taskRunNamed(plane, first.runId, "index");
  assert.equal(firstRun.state, "COMPLETED", "an unstorable value does not fail the task");
  const completed = lastEventTo(plane, firstRun.id, "COMPLETED")!;
  assert.equal(completed.data?.["resultPersisted"], false);
  assert.equal(completed.data?.["result"], undefined);
  const warnings = (await logsOf(plane, first.runId)).filter((log) =>
    log.level === LogLevel.WARNING && log.taskRunId === firstRun.id
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!.message, /^Result not persisted: result is a Map, not a plain object/);

  failing = false;
  const second = await retryFlowRun(first.runId, { plane });
  assert.equal(second.result, 2);
  assert.equal(built, 2);
  assert.equal(taskRunNamed(plane, second.runId, "index").stateName, "Completed");
});

Deno.test("resume: calls of the same task are separate nodes that resume independently", async () => {
  await using plane = testPlane();
  const calls: number[] = [];
  let failing = true;
  const inc = task(async (x: number) => {
    calls.push(x);
    if (x === 10 && failing) throw new Error("second call fails once");
    return await Promise.resolve(x + 1);
  }, { persistResult: true });
  const repeated = flow({ name: "resume-repeated-nodes" }, async () => {
    const a = await inc(1);
    const b = await inc(10);
    return a + b;
  });

  const first = await repeated.runWith({ plane });
  assert.equal(first.state.type, "FAILED");
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.result, 13);
  assert.deepEqual(calls, [1, 10, 10], "only the failed call ran again");
  const [inc0, inc1] = taskRunsOf(plane, second.runId);
  assert.equal(inc0!.taskKey, "inc#0");
  assert.equal(inc1!.taskKey, "inc#1");
  assert.ok(restored(plane, inc0!.id));
  assert.equal(inc1!.stateName, "Completed");
});

Deno.test("resume: a fresh run of the same flow never skips", async () => {
  await using plane = testPlane();
  let loaded = 0;
  const load = task(async () => {
    loaded += 1;
    return await Promise.resolve("data");
  }, { persistResult: true });
  const fresh = flow({ name: "resume-fresh" }, async () => await load());

  const first = await fresh.runWith({ plane });
  const second = await fresh.runWith({ plane });

  assert.equal(loaded, 2);
  const runs = [first.runId, second.runId].map((id) => plane.engine.getRun(id)!);
  assert.notEqual(runs[0]!.lineageId, runs[1]!.lineageId);
  assert.deepEqual(runs.map((run) => run.attempt), [1, 1]);
  for (const run of runs) assert.equal(taskRunNamed(plane, run.id, "load").stateName, "Completed");
});

Deno.test("resume: a retry with changed parameters skips nothing", async () => {
  await using plane = testPlane();
  let setups = 0;
  let failing = true;
  const setup = task(async () => {
    setups += 1;
    return await Promise.resolve("ready");
  }, { persistResult: true });
  const parameterised = flow({ name: "resume-changed-params" }, async (size: number) => {
    await setup();
    if (failing) throw new Error("boom");
    return size;
  });

  const first = await parameterised.runWith({ plane }, 1);
  failing = false;
  const second = await retryFlowRun(first.runId, { plane, parameters: { size: 2 } });

  assert.equal(second.state.type, "COMPLETED");
  assert.equal(second.result, 2);
  assert.deepEqual(plane.engine.getRun(second.runId)!.parameters, { size: 2 });
  assert.equal(setups, 2, "setup was skipped although the parameters changed");
  assert.equal(taskRunNamed(plane, second.runId, "setup").stateName, "Completed");
});

Deno.test("resume: a recomputed upstream invalidates its downstream", async () => {
  await using plane = testPlane();
  const bodies = { fetchRate: 0, convert: 0 };
  let failing = true;
  const fetchRate = task(async () => {
    bodies.fetchRate += 1;
    return await Promise.resolve(2); // same value, but not persisted: it runs again
  });
  const convert = task(async (rate: number) => {
    bodies.convert += 1;
    return await Promise.resolve(rate * 100);
  }, { persistResult: true });
  const invalidated = flow({ name: "resume-invalidated" }, async () => {
    const value = await convert(fetchRate.submit());
    if (failing) throw new Error("boom");
    return value;
  });

  const first = await invalidated.runWith({ plane });
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.result, 200);
  assert.deepEqual(bodies, { fetchRate: 2, convert: 2 });
  assert.equal(taskRunNamed(plane, second.runId, "convert").stateName, "Completed");
});

Deno.test("resume: a restored upstream lets its downstream resume too", async () => {
  await using plane = testPlane();
  const bodies = { fetchRate: 0, convert: 0 };
  let failing = true;
  const fetchRate = task(async () => {
    bodies.fetchRate += 1;
    return await Promise.resolve(2);
  }, { persistResult: true });
  const convert = task(async (rate: number) => {
    bodies.convert += 1;
    return await Promise.resolve(rate * 100);
  }, { persistResult: true });
  const chained = flow({ name: "resume-chained" }, async () => {
    const value = await convert(fetchRate.submit());
    if (failing) throw new Error("boom");
    return value;
  });

  const first = await chained.runWith({ plane });
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.result, 200);
  assert.deepEqual(bodies, { fetchRate: 1, convert: 1 });
  for (const run of taskRunsOf(plane, second.runId)) assert.ok(restored(plane, run.id));
});

Deno.test("resume: a mapped task resumes per map index", async () => {
  await using plane = testPlane();
  const squared: number[] = [];
  let failing = true;
  const square = task(async (x: number) => {
    squared.push(x);
    if (x === 3 && failing) throw new Error("3 fails once");
    return await Promise.resolve(x * x);
  }, { persistResult: true });
  const mapped = flow({ name: "resume-mapped" }, async () => {
    return await Promise.all(square.map([1, 2, 3, 4]));
  });

  const first = await mapped.runWith({ plane });
  assert.equal(first.state.type, "FAILED");
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.deepEqual(second.result, [1, 4, 9, 16]);
  assert.deepEqual(squared.slice(4), [3], "only map index 2 ran again");
  const runs = taskRunsOf(plane, second.runId).sort((a, b) => a.mapIndex! - b.mapIndex!);
  assert.deepEqual(runs.map((run) => [run.taskKey, run.mapIndex, run.stateName]), [
    ["square#0", 0, "Cached"],
    ["square#0", 1, "Cached"],
    ["square#0", 2, "Completed"],
    ["square#0", 3, "Cached"],
  ]);
});

Deno.test("resume: a restored task run does not fire its hooks again", async () => {
  await using plane = testPlane();
  const fired: string[] = [];
  let failing = true;
  const publish = task(async () => await Promise.resolve("v1"), {
    persistResult: true,
    onRunning: ({ taskRunId }) => void fired.push(`running ${taskRunId}`),
    onCompletion: ({ taskRunId }) => void fired.push(`completed ${taskRunId}`),
  });
  const hooked = flow({ name: "resume-hooks" }, async () => {
    await publish();
    if (failing) throw new Error("boom");
  });

  const first = await hooked.runWith({ plane });
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.state.type, "COMPLETED");
  const original = taskRunNamed(plane, first.runId, "publish").id;
  assert.ok(restored(plane, taskRunNamed(plane, second.runId, "publish").id));
  assert.deepEqual(fired, [`running ${original}`, `completed ${original}`]);
});

Deno.test("resume: a flow run cancelled mid-run is retried from where it stopped", async () => {
  await using plane = testPlane();
  const bodies = { prepare: 0, crunch: 0 };
  let blocking = true;
  const prepare = task(async () => {
    bodies.prepare += 1;
    return await Promise.resolve([1, 2]);
  }, { persistResult: true });
  const crunch = task(async (xs: number[]) => {
    bodies.crunch += 1;
    if (blocking) await untilAborted(getRunContext().signal);
    return xs.length;
  });
  const cancellable = flow(
    { name: "resume-cancelled" },
    async () => await crunch(prepare.submit()),
  );

  const running = cancellable.runWith({ plane });
  await until(() => bodies.crunch === 1, "crunch to start");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  await cancelFlowRun(flowRunId, { plane });
  const first = await running;
  assert.equal(first.state.type, "CANCELLED");
  assert.equal(taskRunNamed(plane, first.runId, "crunch").state, "CANCELLED");

  blocking = false;
  const second = await retryFlowRun(first.runId, { plane });
  assert.equal(second.state.type, "COMPLETED");
  assert.equal(second.result, 2);
  assert.deepEqual(bodies, { prepare: 1, crunch: 2 });
  assert.ok(restored(plane, taskRunNamed(plane, second.runId, "prepare").id));
});

Deno.test("resume: a run paused with terminate and resumed restores its completed task runs", async () => {
  await using plane = testPlane();
  const bodies = { download: 0, parse: 0 };
  let blocking = true;
  const download = task(async () => {
    bodies.download += 1;
    return await Promise.resolve("<csv>");
  }, { persistResult: true });
  const parse = task(async (text: string) => {
    bodies.parse += 1;
    if (blocking) await untilAborted(getRunContext().signal);
    return text.length;
  });
  const terminated = flow(
    { name: "resume-terminated" },
    async () => await parse(download.submit()),
  );

  const running = terminated.runWith({ plane });
  await until(() => bodies.parse === 1, "parse to start");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  await pauseFlowRun(flowRunId, { mode: "terminate", plane });
  const paused = await running;
  assert.equal(paused.state.type, "PAUSED");

  blocking = false;
  const resumed = await resumeFlowRun(flowRunId, { plane });
  assert.ok("runId" in resumed);
  assert.equal(resumed.runId, flowRunId, "the same flow run is run again");
  assert.equal(resumed.state.type, "COMPLETED");
  assert.deepEqual(bodies, { download: 1, parse: 2 });
  const downloads = taskRunsOf(plane, flowRunId).filter((run) => run.name === "download");
  assert.deepEqual(downloads.map((run) => run.stateName), ["Completed", "Cached"]);
  assert.ok(restored(plane, downloads[1]!.id));
});

Deno.test("resume: subflows of a retried parent resume too", async () => {
  await using plane = testPlane();
  let fetched = 0;
  let failing = true;
  const fetchPage = task(async (page: number) => {
    fetched += 1;
    return await Promise.resolve(`page ${page}`);
  }, { persistResult: true });
  const crawl = flow({ name: "resume-sub-child" }, async (page: number) => await fetchPage(page));
  const parent = flow({ name: "resume-sub-parent" }, async () => {
    const text = await crawl(7);
    if (failing) throw new Error("parent fails after its subflow");
    return text;
  });

  const first = await parent.runWith({ plane });
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.equal(second.result, "page 7");
  assert.equal(fetched, 1);
  const child = plane.engine.listRuns({ kind: "flow", parentId: second.runId }).items;
  assert.equal(child.length, 1);
  assert.equal(child[0]!.attempt, 2);
  assert.ok(restored(plane, taskRunNamed(plane, child[0]!.id, "fetchPage").id));
});

Deno.test("resume: a result over the inline limit goes to the result store and is restored", async () => {
  await using plane = testPlane();
  let rendered = 0;
  let failing = true;
  const big = "x".repeat(70 * 1024);
  const render = task(async () => {
    rendered += 1;
    return await Promise.resolve({ html: big });
  }, { persistResult: true });
  const large = flow({ name: "resume-large" }, async () => {
    const page = await render();
    if (failing) throw new Error("boom");
    return page.html.length;
  });

  const first = await large.runWith({ plane });
  const stored = lastEventTo(plane, taskRunNamed(plane, first.runId, "render").id, "COMPLETED")!
    .data?.["result"] as { kind: string; ref: string; size: number; encoding: string };
  assert.equal(stored.kind, "ref");
  assert.equal(stored.encoding, "json");
  assert.match(stored.ref, /^sha256:[0-9a-f]{64}$/);
  assert.ok(stored.size > 64 * 1024);
  assert.ok(await plane.results.get(stored.ref), "the bytes are in the result store");

  failing = false;
  const second = await retryFlowRun(first.runId, { plane });
  assert.equal(second.result, big.length);
  assert.equal(rendered, 1);
});

Deno.test("resume: a Uint8Array result round-trips through the result store", async () => {
  await using plane = testPlane();
  let encoded = 0;
  let failing = true;
  const encode = task(async () => {
    encoded += 1;
    return await Promise.resolve(new Uint8Array([0, 1, 254, 255]));
  }, { persistResult: true });
  const checksum = task(async (bytes: Uint8Array) => {
    assert.ok(bytes instanceof Uint8Array, "downstream received bytes");
    return await Promise.resolve(Array.from(bytes));
  });
  const binary = flow({ name: "resume-bytes" }, async () => {
    const sum = await checksum(encode.submit());
    if (failing) throw new Error("boom");
    return sum;
  });

  const first = await binary.runWith({ plane });
  const stored = lastEventTo(plane, taskRunNamed(plane, first.runId, "encode").id, "COMPLETED")!
    .data?.["result"] as { kind: string; encoding: string; size: number };
  assert.deepEqual([stored.kind, stored.encoding, stored.size], ["ref", "bytes", 4]);

  failing = false;
  const second = await retryFlowRun(first.runId, { plane });
  assert.deepEqual(second.result, [0, 1, 254, 255]);
  assert.equal(encoded, 1);
});

Deno.test("resume: a flow's persistResult is the default of its tasks", async () => {
  await using plane = testPlane();
  const bodies = { kept: 0, optedOut: 0 };
  let failing = true;
  const kept = task(async () => {
    bodies.kept += 1;
    return await Promise.resolve("kept");
  });
  const optedOut = task(async () => {
    bodies.optedOut += 1;
    return await Promise.resolve("recomputed");
  }, { persistResult: false });
  const defaults = flow({ name: "resume-flow-default", persistResult: true }, async () => {
    const values = [await kept(), await optedOut()];
    if (failing) throw new Error("boom");
    return values;
  });

  const first = await defaults.runWith({ plane });
  failing = false;
  const second = await retryFlowRun(first.runId, { plane });

  assert.deepEqual(second.result, ["kept", "recomputed"]);
  assert.deepEqual(bodies, { kept: 1, optedOut: 2 });
});

Deno.test("resume: a third attempt still restores work done in the first", async () => {
  await using plane = testPlane();
  let loads = 0;
  let failures = 2;
  const load = task(async () => {
    loads += 1;
    return await Promise.resolve(42);
  }, { persistResult: true });
  const stubborn = flow({ name: "resume-third-attempt" }, async () => {
    const value = await load();
    if (failures-- > 0) throw new Error("still failing");
    return value;
  });

  const first = await stubborn.runWith({ plane });
  const second = await retryFlowRun(first.runId, { plane });
  assert.equal(second.state.type, "FAILED");
  const third = await retryFlowRun(second.runId, { plane });

  assert.equal(third.result, 42);
  assert.equal(loads, 1);
  assert.equal(plane.engine.getRun(third.runId)!.attempt, 3);
  assert.ok(restored(plane, taskRunNamed(plane, third.runId, "load").id));
});

Deno.test("resume: only FAILED, CRASHED or CANCELLED flow runs can be retried", async () => {
  await using plane = testPlane();
  const fine = flow({ name: "resume-not-retryable" }, async () => await Promise.resolve(1));
  const { runId } = await fine.runWith({ plane });
  await assert.rejects(retryFlowRun(runId, { plane }), {
    name: "TypeError",
    message:
      `Cannot retry flow run "${runId}": it is "COMPLETED"; only FAILED, CRASHED or CANCELLED runs can be retried`,
  });
});

Deno.test("resume: retrying a flow run that does not exist throws RunNotFoundError", async () => {
  await using plane = testPlane();
  await assert.rejects(retryFlowRun("no-such-run", { plane }), {
    name: "RunNotFoundError",
    code: "run_not_found",
    message: `Cannot retry flow run "no-such-run": it does not exist`,
  });
});
