/**
 * The reserve of warm run processes: after a run of a kind starts, the
 * reserve of that kind is topped up to its size, so runs that arrive back to
 * back take a process that has had time to load; other kinds give way.
 */
import assert from "node:assert/strict";
import { type ExecutorSpec, WarmExecutors } from "../../sdk/_warm_executors.ts";

// A stand-in run process: waits for its run on stdin and exits when it gets one.
function spec(name: string): ExecutorSpec {
  return {
    deno: Deno.execPath(),
    args: ["eval", "for await (const _ of Deno.stdin.readable) break;"],
    cwd: Deno.cwd(),
    env: { WARM_KIND: name },
  };
}

Deno.test("a started run tops its kind's reserve up to the limit, not by one", async () => {
  const executors = new WarmExecutors({ spares: 2 });
  const a = spec("a");
  try {
    executors.refill(a);
    assert.equal(executors.ready(a), 2, "an empty reserve is filled at once");
    executors.start(a, { runId: "r1", entrypoint: "./f.ts:f" });
    assert.equal(executors.ready(a), 1, "the run took the oldest process");
    executors.refill(a);
    assert.equal(executors.ready(a), 2, "back to the limit");
  } finally {
    await executors.close();
  }
});

Deno.test("the reserve of the kind just started pushes out other kinds beyond the limit", async () => {
  const executors = new WarmExecutors({ spares: 2 });
  const [a, b] = [spec("a"), spec("b")];
  try {
    executors.refill(a);
    executors.refill(b);
    assert.deepEqual([executors.ready(a), executors.ready(b)], [0, 2]);
  } finally {
    await executors.close();
  }
});

Deno.test("no reserve when warm processes are off", async () => {
  const executors = new WarmExecutors({ spares: 0 });
  const a = spec("a");
  try {
    executors.refill(a);
    assert.equal(executors.ready(a), 0);
  } finally {
    await executors.close();
  }
});
