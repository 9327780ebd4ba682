import assert from "node:assert/strict";
import { readEvents } from "../../engine/events/mod.ts";
import {
  createInMemoryControlPlane,
  createRemoteControlPlane,
  emitEvent,
  flow,
} from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { FakeClock } from "../../engine/mod.ts";
import { testServer } from "../server/_helpers.ts";

const landed = flow({ name: "landing" }, async (name: string) => {
  const event = await emitEvent({
    event: "acme.file.landed",
    resource: `acme.file.${name}`,
    payload: { name },
  });
  return event.id;
});

Deno.test("emitEvent() in a flow records the event related to its flow run (in process)", async () => {
  const clock = new FakeClock();
  const plane = createInMemoryControlPlane({ timer: clock });
  try {
    const outcome = await landed.runWith({ plane }, "a.csv");
    assert.equal(outcome.state.type, "COMPLETED");
    const page = readEvents(plane.engine.reader, {
      now: clock.now(),
      filter: { prefixes: ["acme."] },
    });
    assert.equal(page.items.length, 1);
    const event = page.items[0]!;
    assert.equal(event.id, outcome.result);
    assert.deepEqual(event.payload, { name: "a.csv" });
    assert.deepEqual(event.related, [{
      id: `ironflow.flow-run.${outcome.runId}`,
      role: "flow-run",
    }]);
  } finally {
    await plane.close();
  }
});

Deno.test("emitEvent() through a remote control plane posts to the server", async () => {
  const server = testServer();
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => Promise.resolve(server.app.fetch(new Request(input, init))),
    results: createMemoryResultStore(),
  });
  try {
    const outcome = await landed.runWith({ plane }, "b.csv");
    assert.equal(outcome.state.type, "COMPLETED");
    const page = readEvents(server.engine.reader, {
      now: server.clock.now(),
      filter: { resources: ["acme.file.b.csv"] },
    });
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0]!.related[0]!.id, `ironflow.flow-run.${outcome.runId}`);
  } finally {
    await plane.close();
    server.close();
  }
});

Deno.test("emitEvent() refuses a reserved name before sending anything", async () => {
  const plane = createInMemoryControlPlane();
  try {
    await assert.rejects(
      emitEvent({ event: "ironflow.flow-run.Completed", resource: "x" }, { plane }),
      /reserves for its own events/,
    );
  } finally {
    await plane.close();
  }
});
