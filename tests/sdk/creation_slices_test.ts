import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import type { NewRun, RunRecord } from "../../engine/mod.ts";
import { CREATION_SLICE, CreationSlices } from "../../sdk/_creation_slices.ts";
import { flow, type LocalControlPlane, task, withTags } from "../../sdk/mod.ts";
import { testPlane } from "./_helpers.ts";

/** Counts the task-run creations `plane` has been asked for and not answered yet. */
function countCreations(plane: LocalControlPlane, fail?: (run: NewRun) => boolean) {
  const seen = { pending: 0, most: 0, total: 0 };
  const createRun = plane.createRun.bind(plane);
  plane.createRun = async (run: NewRun): Promise<RunRecord> => {
    if (run.kind !== "task") return await createRun(run);
    seen.pending += 1;
    seen.total += 1;
    seen.most = Math.max(seen.most, seen.pending);
    try {
      if (fail?.(run)) throw new Error(`store refused ${run.runName}`);
      return await createRun(run);
    } finally {
      seen.pending -= 1;
    }
  };
  return seen;
}

const inc = task({ name: "inc" }, (x: number) => x + 1);

Deno.test("a large map creates its task runs a group at a time, and returns every result in order", async () => {
  await using plane = testPlane();
  const seen = countCreations(plane);
  const n = CREATION_SLICE * 4 + 7;
  const mapped = flow({ name: "mapped" }, async () => {
    const futures = inc.map(Array.from({ length: n }, (_, i) => i));
    // Every future names its task run at once, started or not.
    const ids = futures.map((future) => future.runId);
    assert.ok(ids.every((id) => typeof id === "string"));
    assert.equal(new Set(ids).size, n);
    return { values: await Promise.all(futures), ids };
  });
  const outcome = await mapped.runWith({ plane });
  assert.equal(outcome.state.type, "COMPLETED");
  const { values, ids } = outcome.result!;
  assert.deepEqual(values, Array.from({ length: n }, (_, i) => i + 1));
  assert.equal(seen.total, n);
  assert.ok(seen.most <= CREATION_SLICE, `at most one group in creation, saw ${seen.most}`);
  // The ids the futures gave are the runs that were created and completed.
  for (const id of ids) assert.equal(plane.engine.getRun(id!)?.state, "COMPLETED");
});

Deno.test("task runs of later groups run at the same time as the first ones: nothing waits for a run to finish", async () => {
  await using plane = testPlane();
  const n = CREATION_SLICE * 3;
  let started = 0;
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => openGate = resolve);
  // Each body waits until every body has started: a bound on running task runs would never end.
  const meet = task({ name: "meet" }, async (i: number) => {
    started += 1;
    if (started === n) openGate();
    await gate;
    return i;
  });
  const gathering = flow({ name: "gathering" }, async () => {
    const values = await Promise.all(meet.map(Array.from({ length: n }, (_, i) => i)));
    return values.length;
  });
  const timeout = setTimeout(openGate, 20_000);
  try {
    const outcome = await gathering.runWith({ plane });
    assert.equal(outcome.state.type, "COMPLETED");
    assert.equal(outcome.result, n);
    assert.equal(started, n);
  } finally {
    clearTimeout(timeout);
  }
});

Deno.test("a task run whose start waited for its group keeps the context of its submit(): scoped tags and the caller's AsyncLocalStorage", async () => {
  await using plane = testPlane();
  const seen = countCreations(plane);
  const request = new AsyncLocalStorage<string>();
  const where = task({ name: "where" }, (_i: number) => request.getStore() ?? "none");
  const scoped = flow({ name: "scoped" }, async () => {
    const first = where.map(Array.from({ length: CREATION_SLICE }, () => 0));
    const late = request.run("request-7", () => withTags(["late"], () => where.submit(0)));
    return { first: await Promise.all(first), late: await late, lateId: late.runId! };
  });
  const outcome = await scoped.runWith({ plane });
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result!.late, "request-7");
  assert.ok(outcome.result!.first.every((value) => value === "none"));
  assert.deepEqual(plane.engine.getRun(outcome.result!.lateId)?.tags, ["late"]);
  assert.ok(seen.most <= CREATION_SLICE, "the late run waited for the first group");
});

Deno.test("when the store refuses some creations, their futures crash and the groups after them still start", async () => {
  await using plane = testPlane();
  // Every run of the second group is refused.
  const refused = (run: NewRun) =>
    run.mapIndex !== undefined && run.mapIndex !== null && run.mapIndex >= CREATION_SLICE &&
    run.mapIndex < 2 * CREATION_SLICE;
  const seen = countCreations(plane, refused);
  const n = CREATION_SLICE * 3;
  let states: string[] = [];
  const partly = flow({ name: "partly" }, async () => {
    const futures = inc.map(Array.from({ length: n }, (_, i) => i));
    states = (await Promise.all(futures.map((future) => future.wait()))).map((s) => s.type);
  });
  const outcome = await partly.runWith({ plane });
  assert.equal(seen.total, n);
  assert.equal(states.length, n);
  assert.ok(states.slice(0, CREATION_SLICE).every((type) => type === "COMPLETED"));
  assert.ok(states.slice(CREATION_SLICE, 2 * CREATION_SLICE).every((type) => type === "CRASHED"));
  assert.ok(states.slice(2 * CREATION_SLICE).every((type) => type === "COMPLETED"));
  assert.ok(["COMPLETED", "FAILED", "CRASHED"].includes(outcome.state.type), outcome.state.type);
});

Deno.test("CreationSlices starts a group once the one before it is created, first submitted first", () => {
  const slices = new CreationSlices(2);
  const order: string[] = [];
  const created = new Map<string, () => void>();
  const submit = (name: string) =>
    slices.start((done) => {
      order.push(name);
      created.set(name, done);
    });
  assert.equal(submit("a"), true);
  assert.equal(submit("b"), true);
  assert.equal(submit("c"), false);
  assert.equal(submit("d"), false);
  assert.equal(submit("e"), false);
  assert.deepEqual(order, ["a", "b"]);
  assert.equal(slices.waiting, 3);
  created.get("a")!();
  created.get("a")!(); // twice counts once
  assert.deepEqual(order, ["a", "b"], "half a group created starts nothing");
  created.get("b")!();
  assert.deepEqual(order, ["a", "b", "c", "d"]);
  created.get("c")!();
  created.get("d")!();
  assert.deepEqual(order, ["a", "b", "c", "d", "e"]);
  created.get("e")!();
  assert.equal(slices.waiting, 0);
  // With nothing waiting and room in the group, a submit starts at once.
  assert.equal(submit("f"), true);
  assert.throws(() => new CreationSlices(0), RangeError);
});
