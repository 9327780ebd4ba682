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

function countingRemotePlane(server: ReturnType<typeof testServer>, paths: string[]) {
  return createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => {
      const request = new Request(input, init);
      paths.push(new URL(request.url).pathname);
      return Promise.resolve(server.app.fetch(request));
    },
    results: createMemoryResultStore(),
  });
}

Deno.test("a burst of emitEvent() calls on a remote plane goes in a few batched requests, in order", async () => {
  const server = testServer();
  const paths: string[] = [];
  const plane = countingRemotePlane(server, paths);
  try {
    const names = Array.from({ length: 120 }, (_, i) => `file-${i}`);
    const events = await Promise.all(
      names.map((name) =>
        emitEvent({ event: "acme.file.landed", resource: `acme.file.${name}` }, { plane })
      ),
    );
    assert.deepEqual(events.map((e) => e.resource), names.map((n) => `acme.file.${n}`));
    const recorded = readEvents(server.engine.reader, {
      now: server.clock.now(),
      filter: { prefixes: ["acme."] },
      limit: 200,
    });
    assert.deepEqual(
      recorded.items.map((e) => e.id).sort(),
      events.map((e) => e.id).sort(),
      "every answered event is recorded once",
    );
    const posts = paths.filter((p) => p.startsWith("/api/events"));
    // The first goes alone at once; the 119 emitted meanwhile go together.
    assert.deepEqual(posts, ["/api/events", "/api/events/batch"]);
  } finally {
    await plane.close();
    server.close();
  }
});

Deno.test("a batch the server refuses is sent again one by one: only the invalid event's caller fails", async () => {
  const server = testServer();
  const paths: string[] = [];
  const plane = countingRemotePlane(server, paths);
  try {
    // Straight to the client: emitEvent() would refuse the bad name before sending it.
    const client = plane.events!;
    const outcomes = await Promise.allSettled([
      client.emit({ event: "acme.first", resource: "acme.a" }),
      client.emit({ event: "acme.second", resource: "acme.b" }),
      client.emit({ event: "not a name", resource: "acme.c" }),
      client.emit({ event: "acme.fourth", resource: "acme.d" }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), [
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /not a name/);
    const recorded = readEvents(server.engine.reader, {
      now: server.clock.now(),
      filter: { prefixes: ["acme."] },
    });
    assert.deepEqual(recorded.items.map((e) => e.event).sort(), [
      "acme.first",
      "acme.fourth",
      "acme.second",
    ]);
    assert.deepEqual(paths.filter((p) => p.startsWith("/api/events")), [
      "/api/events",
      "/api/events/batch",
      "/api/events",
      "/api/events",
      "/api/events",
    ]);
  } finally {
    await plane.close();
    server.close();
  }
});
