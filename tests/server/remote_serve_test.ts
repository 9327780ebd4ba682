import assert from "node:assert/strict";
import { createRemoteControlPlane, flow, runDeployment, serve } from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { testServer } from "./_helpers.ts";

const hello = flow({ name: "hello" }, async () => await Promise.resolve("hello"));
const bye = flow({ name: "bye" }, async () => await Promise.resolve("bye"));

Deno.test("serve() of several deployments on a remote plane claims a new run without waiting out its poll period", async () => {
  // The server's clock never moves and the poll period is long: only the
  // commit of the new run can end the claim's wait on the server.
  const server = testServer();
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => Promise.resolve(server.app.fetch(new Request(input, init))),
    results: createMemoryResultStore(),
  });
  const handle = await serve({ flow: hello }, { flow: bye }, { plane, pollMs: 30_000 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 20)); // the claim is waiting now
    for (const name of ["bye", "hello"]) {
      const run = await plane.deployments!.run(name);
      for (let i = 0; i < 500 && server.engine.getRun(run.id)?.state !== "COMPLETED"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(server.engine.getRun(run.id)?.state, "COMPLETED", `the run of "${name}"`);
    }
  } finally {
    const stopped = handle.stop();
    server.close(); // ends the claim waiting on the server
    await stopped;
    await plane.close();
  }
});

const parent = flow({ name: "parent" }, async () => {
  const child = runDeployment<string>("hello");
  return (await child.wait()).type;
});

Deno.test("runDeployment() on a remote plane settles when the child's end commits, without polling", async () => {
  // The clock never moves and nothing polls: the child's events end the wait.
  const server = testServer();
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => Promise.resolve(server.app.fetch(new Request(input, init))),
    results: createMemoryResultStore(),
  });
  const handle = await serve({ flow: hello }, { plane: server.plane, pollMs: 3_600_000 });
  try {
    const outcome = await parent.runWith({ plane });
    assert.equal(outcome.state.type, "COMPLETED", String(outcome.error));
    assert.equal(outcome.result, "COMPLETED");
  } finally {
    await handle.stop();
    server.close();
    await plane.close();
  }
});
