import assert from "node:assert/strict";
import {
  type ControlPlane,
  createRemoteControlPlane,
  flow,
  getVariable,
  setVariable,
  unsetVariable,
} from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { testServer } from "../server/_helpers.ts";
import { testPlane } from "./_helpers.ts";

const configured = flow({ name: "configured" }, async () => {
  const batch = await getVariable("batch_size", 10);
  const region = await getVariable("region", "us-east-1");
  await setVariable("last_region", region ?? null);
  return { batch, region };
});

async function roundTrip(plane: ControlPlane): Promise<void> {
  assert.equal(await getVariable("batch_size", 10, { plane }), 10, "the default when unset");
  assert.equal(await getVariable("batch_size", undefined, { plane }), undefined);
  await setVariable("batch_size", 500, { plane });
  await setVariable("region", "eu-west-1", { plane });
  const outcome = await configured.runWith({ plane });
  assert.deepEqual(outcome.result, { batch: 500, region: "eu-west-1" });
  assert.equal(await getVariable("last_region", null, { plane }), "eu-west-1");
  const first = await plane.variables!.list({ limit: 2 });
  assert.deepEqual(first.items.map((v) => v.name), ["batch_size", "last_region"]);
  assert.ok(first.nextCursor, "a third variable is on the next page");
  const rest = await plane.variables!.list({ cursor: first.nextCursor!, limit: 2 });
  assert.deepEqual(rest.items.map((v) => [v.name, v.value]), [["region", "eu-west-1"]]);
  assert.equal(rest.nextCursor, null);
  assert.equal(await unsetVariable("region", { plane }), true);
  assert.equal(await unsetVariable("region", { plane }), false);
  assert.equal(await getVariable("region", "none", { plane }), "none");
  await assert.rejects(
    setVariable("Bad Name", 1, { plane }),
    /Variable name "Bad Name" is invalid/,
  );
}

Deno.test("getVariable()/setVariable()/unsetVariable() in a flow on an in-process plane", async () => {
  await using plane = testPlane();
  await roundTrip(plane);
});

Deno.test("getVariable()/setVariable()/unsetVariable() in a flow against a server", async () => {
  const server = testServer();
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => Promise.resolve(server.app.fetch(new Request(input, init))),
    results: createMemoryResultStore(),
  });
  try {
    await roundTrip(plane);
    assert.equal(
      server.engine.reader.getDocument("variable", "batch_size")?.data !== undefined,
      true,
    );
    await assert.rejects(
      setVariable("big", "x".repeat(70_000), { plane }),
      /64 KiB|limit is 65536/,
    );
  } finally {
    await plane.close();
  }
});
