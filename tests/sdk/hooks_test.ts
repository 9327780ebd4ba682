import assert from "node:assert/strict";
import { LogLevel } from "../../engine/mod.ts";
import {
  cancelFlowRun,
  flow,
  getRunContext,
  type HookContext,
  onTransition,
  task,
} from "../../sdk/mod.ts";
import { deferred, historyOf, logsOf, taskRunNamed, testPlane } from "./_helpers.ts";

const edge = (context: HookContext) => `${context.from}->${context.to}`;

Deno.test("a hook on an exact edge fires only on that edge", async () => {
  await using plane = testPlane();
  const seen: string[] = [];
  const work = task(async () => await Promise.resolve(1), {
    transitionHooks: [onTransition((c) => {
      seen.push(edge(c));
    }, { from: "RUNNING", to: "COMPLETED" })],
  });
  const pipeline = flow({ name: "pipeline" }, async () => await work());

  await pipeline.runWith({ plane });

  assert.deepEqual(seen, ["RUNNING->COMPLETED"]);
});

Deno.test("a wildcard hook fires on every transition of the run", async () => {
  await using plane = testPlane();
  const seen: string[] = [];
  const watched = flow({
    name: "watched",
    transitionHooks: [onTransition((c) => {
      seen.push(edge(c));
    })],
  }, () => "done");

  await watched.runWith({ plane });

  assert.deepEqual(seen, ["PENDING->RUNNING", "RUNNING->COMPLETED"]);
});

Deno.test("a hook on the failure edge receives the error", async () => {
  await using plane = testPlane();
  const failure = new Error("load failed");
  const seen: Array<{ edge: string; error: Error | undefined }> = [];
  const load = task(async (): Promise<void> => await Promise.reject(failure), {
    transitionHooks: [onTransition((c) => {
      seen.push({ edge: edge(c), error: c.error });
    }, { to: "FAILED" })],
  });
  const pipeline = flow({ name: "pipeline" }, () => {
    load.submit();
  });

  await pipeline.runWith({ plane });

  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.edge, "RUNNING->FAILED");
  assert.equal(seen[0]!.error, failure);
});

Deno.test("a task's PENDING → RUNNING hook fires once per task run", async () => {
  await using plane = testPlane();
  const started: string[] = [];
  const work = task(async (i: number) => await Promise.resolve(i), {
    transitionHooks: [onTransition((c) => {
      started.push(c.taskRunId!);
    }, { from: "PENDING", to: "RUNNING" })],
  });
  const pipeline = flow({ name: "pipeline" }, async () => await Promise.all(work.map([1, 2])));

  const outcome = await pipeline.runWith({ plane });

  const taskRunIds = plane.engine.listRuns({ kind: "task", parentId: outcome.runId }).items
    .map((run) => run.id);
  assert.deepEqual([...started].sort(), [...taskRunIds].sort());
});

Deno.test("hook context carries task name, flow name, run ids and transition kind", async () => {
  await using plane = testPlane();
  const contexts: HookContext[] = [];
  const record = onTransition((c) => {
    contexts.push(c);
  });
  const extract = task(async () => await Promise.resolve([1, 2]), { transitionHooks: [record] });
  const nightly = flow({ name: "nightly" }, async () => await extract());

  const outcome = await nightly.runWith({ plane });

  const taskRun = taskRunNamed(plane, outcome.runId, "extract");
  assert.deepEqual(
    contexts.map((c) => [
      c.kind,
      c.taskName,
      c.flowName,
      c.flowRunId,
      c.taskRunId,
      c.transitionKind,
      c.stateName,
    ]),
    [
      ["task", "extract", "nightly", outcome.runId, taskRun.id, "start", "RUNNING"],
      ["task", "extract", "nightly", outcome.runId, taskRun.id, "complete", "COMPLETED"],
    ],
  );
  assert.deepEqual(contexts[1]!.result, [1, 2]);
});

Deno.test("a hook that throws is logged as a WARNING and the run still completes", async () => {
  await using plane = testPlane();
  const sturdy = flow({
    name: "sturdy",
    transitionHooks: [onTransition(() => {
      throw new Error("hook exploded");
    }, { to: "RUNNING" })],
  }, () => "fine");

  const outcome = await sturdy.runWith({ plane });

  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, "fine");
  const warnings = await logsOf(plane, outcome.runId, LogLevel.WARNING);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.level, LogLevel.WARNING);
  assert.match(warnings[0]!.message, /Transition hook failed on PENDING -> RUNNING: hook exploded/);
});

Deno.test("a hook on a terminal edge may rewrite FAILED to COMPLETED", async () => {
  await using plane = testPlane();
  const forgiving = task(async (): Promise<number> => await Promise.reject(new Error("flaky")), {
    transitionHooks: [onTransition(() => "COMPLETED", { to: "FAILED" })],
  });
  const pipeline = flow({ name: "pipeline" }, async () => await forgiving());

  const outcome = await pipeline.runWith({ plane });

  assert.equal(outcome.state.type, "COMPLETED");
  const run = taskRunNamed(plane, outcome.runId, "forgiving");
  assert.equal(run.state, "COMPLETED");
  const last = plane.engine.events(run.id).at(-1)!;
  assert.equal(last.kind, "fail_rewritten");
});

Deno.test("the first hook with a non-empty answer decides the rewrite", async () => {
  await using plane = testPlane();
  const consulted: string[] = [];
  const disputed = task(async (): Promise<number> => await Promise.reject(new Error("no")), {
    transitionHooks: [
      onTransition(() => {
        consulted.push("silent");
      }, { to: "FAILED" }),
      onTransition(() => {
        consulted.push("cancel");
        return "CANCELLED";
      }, { to: "FAILED" }),
      onTransition(() => {
        consulted.push("complete");
        return "COMPLETED";
      }, { to: "FAILED" }),
    ],
  });
  const pipeline = flow({ name: "pipeline" }, () => {
    disputed.submit();
  });

  const outcome = await pipeline.runWith({ plane });

  assert.deepEqual(consulted, ["silent", "cancel"]);
  assert.equal(taskRunNamed(plane, outcome.runId, "disputed").state, "CANCELLED");
});

Deno.test("a rewrite to a non-terminal state is ignored with a warning", async () => {
  await using plane = testPlane();
  const stubborn = task(async (): Promise<number> => await Promise.reject(new Error("no")), {
    transitionHooks: [onTransition(() => "RUNNING", { to: "FAILED" })],
  });
  const pipeline = flow({ name: "pipeline" }, () => {
    stubborn.submit();
  });

  const outcome = await pipeline.runWith({ plane });

  const run = taskRunNamed(plane, outcome.runId, "stubborn");
  assert.equal(run.state, "FAILED");
  const warnings = await logsOf(plane, outcome.runId, LogLevel.WARNING);
  const warning = warnings.find((log) =>
    log.taskRunId === run.id && log.level === LogLevel.WARNING
  );
  assert.match(warning?.message ?? "", /answered "RUNNING" on RUNNING -> FAILED.*ignored/);
});

Deno.test("an operator cancel never consults rewrite hooks", async () => {
  await using plane = testPlane();
  const started = deferred<string>();
  const answers: string[] = [];
  const cancellable = flow({
    name: "cancellable",
    transitionHooks: [onTransition((c) => {
      answers.push(edge(c));
      return "COMPLETED";
    }, { to: "CANCELLED" })],
  }, async () => {
    const { flowRun, signal } = getRunContext();
    started.resolve(flowRun.id);
    await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  });

  const running = cancellable.runWith({ plane });
  await cancelFlowRun(await started.promise, { plane });
  const outcome = await running;

  assert.equal(outcome.state.type, "CANCELLED");
  assert.deepEqual(historyOf(plane, outcome.runId).at(-1), "CANCELLED Cancelled");
  // Told about the transition afterwards, but its answer changed nothing.
  assert.deepEqual(answers, ["CANCELLING->CANCELLED"]);
});

Deno.test("onRunning, onCompletion and onFailure hooks fire on their states", async () => {
  await using plane = testPlane();
  const calls: string[] = [];
  const good = task(async () => await Promise.resolve("ok"), {
    onRunning: (c) => {
      calls.push(`running ${c.taskName}`);
    },
    onCompletion: (c) => {
      calls.push(`completed ${c.taskName} ${String(c.result)}`);
    },
  });
  const bad = task(async (): Promise<void> => await Promise.reject(new Error("bad")), {
    onFailure: [
      (c) => {
        calls.push(`failed ${c.taskName} ${c.error?.message}`);
      },
      () => {
        calls.push("second failure hook");
      },
    ],
  });
  const mixed = flow({
    name: "mixed",
    onFailure: (c) => {
      calls.push(`flow failed ${c.flowName}`);
    },
  }, async () => {
    await good();
    await bad();
  });

  const outcome = await mixed.runWith({ plane });

  assert.equal(outcome.state.type, "FAILED");
  assert.deepEqual(calls, [
    "running good",
    "completed good ok",
    "failed bad bad",
    "second failure hook",
    "flow failed mixed",
  ]);
});

// Prefect 3, "How to respond to state changes"
// (https://docs.prefect.io/v3/how-to-guides/workflows/state-change-hooks): "the on_failure hook
// will not run until all retries have completed and the flow run enters a Failed state", and
// on_running hooks "fire on each retry attempt, including the initial run".
Deno.test("a flow's onFailure fires once, when its last retry failed", async () => {
  await using plane = testPlane();
  const calls: string[] = [];
  let attempts = 0;
  const flaky = flow({
    name: "flaky",
    retries: 2,
    onRunning: () => {
      calls.push("running");
    },
    onFailure: (c) => {
      calls.push(`failed ${c.to} ${c.error?.message}`);
    },
  }, () => {
    attempts++;
    throw new Error(`attempt ${attempts}`);
  });

  const outcome = await flaky.runWith({ plane });

  assert.equal(outcome.state.type, "FAILED");
  assert.equal(attempts, 3);
  assert.deepEqual(calls, ["running", "running", "running", "failed FAILED attempt 3"]);
});

Deno.test("a flow that succeeds on a retry calls onCompletion, never onFailure", async () => {
  await using plane = testPlane();
  const calls: string[] = [];
  let attempts = 0;
  const flaky = flow({
    name: "flaky",
    retries: 1,
    onFailure: () => {
      calls.push("failed");
    },
    onCompletion: (c) => {
      calls.push(`completed ${String(c.result)}`);
    },
  }, () => {
    if (++attempts === 1) throw new Error("first attempt");
    return "ok";
  });

  const outcome = await flaky.runWith({ plane });

  assert.equal(outcome.state.type, "COMPLETED");
  assert.deepEqual(calls, ["completed ok"]);
});

Deno.test("a task's onFailure fires once, after its retries (Prefect state change hooks)", async () => {
  await using plane = testPlane();
  const calls: string[] = [];
  const flaky = task({
    name: "flaky",
    retries: 2,
    onRunning: (c) => {
      calls.push(`running ${c.stateName}`);
    },
    onFailure: (c) => {
      calls.push(`failed ${c.to}`);
    },
  }, async (): Promise<void> => await Promise.reject(new Error("down")));
  const pipeline = flow({ name: "pipeline" }, async () => {
    await flaky.submit().wait();
  });

  await pipeline.runWith({ plane });

  assert.deepEqual(calls, [
    "running RUNNING",
    "running Retrying",
    "running Retrying",
    "failed FAILED",
  ]);
});

Deno.test("transition hooks on the FAILED edge are still asked on each failed attempt", async () => {
  await using plane = testPlane();
  const seen: string[] = [];
  const flaky = task({
    name: "flaky",
    retries: 1,
    transitionHooks: [onTransition((c) => {
      seen.push(edge(c));
    }, { to: "FAILED" })],
  }, async (): Promise<void> => await Promise.reject(new Error("down")));
  const pipeline = flow({ name: "pipeline" }, async () => {
    await flaky.submit().wait();
  });

  await pipeline.runWith({ plane });

  // Asked before each terminal proposal, so they may rewrite it; the engine decides retries after.
  assert.deepEqual(seen, ["RUNNING->FAILED", "RUNNING->FAILED"]);
});
