import assert from "node:assert/strict";
import type { Hono } from "hono";
import { SecretCipher } from "../../engine/secrets/mod.ts";
import { systemClock } from "../../engine/mod.ts";
import {
  type ControlPlane,
  createInMemoryControlPlane,
  createLocalControlPlane,
  createLocalSecretClient,
  createRemoteControlPlane,
  getSecret,
  REDACTED,
  setSecret,
} from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { createApp } from "../../server/mod.ts";
import { testServer } from "../server/_helpers.ts";
import { leaky, leakyFailure, SECRET_VALUE } from "./_secret_flows.ts";

const KEY = "test secret key, long enough";

/** Every answer of the API about the runs, the secrets and their events. */
async function apiTexts(app: Hono, runIds: string[]): Promise<string[]> {
  const paths = [
    "/api/secrets",
    "/api/secrets/api_token",
    "/api/flow-runs",
    ...runIds.flatMap((id) =>
      ["", "/logs", "/events", "/task-runs", "/artifacts"].map((p) => `/api/flow-runs/${id}${p}`)
    ),
  ];
  const texts: string[] = [];
  for (const path of paths) {
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    texts.push(`${path}: ${await res.text()}`);
  }
  return texts;
}

async function runLeaks(plane: ControlPlane): Promise<string[]> {
  await setSecret("api_token", SECRET_VALUE, { plane });
  const ok = await leaky.runWith({ plane });
  assert.equal(ok.state.type, "COMPLETED", String(ok.error));
  const failed = await leakyFailure.runWith({ plane });
  assert.equal(failed.state.type, "FAILED");
  await plane.flush();
  return [ok.runId, failed.runId];
}

function assertRedacted(texts: string[], what: string): void {
  for (const text of texts) {
    assert.ok(!text.includes(SECRET_VALUE), `${what} shows the secret: ${text.slice(0, 400)}`);
  }
  const all = texts.join("\n");
  assert.ok(all.includes(REDACTED), `${what} holds no ${REDACTED}`);
}

Deno.test("a secret a flow prints, passes and returns is redacted in process: logs, results, events, API", async () => {
  const plane = createInMemoryControlPlane({ secretKey: KEY });
  try {
    const runIds = await runLeaks(plane);
    const reader = plane.engine.reader;
    const stored = [
      JSON.stringify(reader.events()),
      ...runIds.map((id) => JSON.stringify(reader.logs({ flowRunId: id }))),
      JSON.stringify(reader.listRuns({}).items),
    ];
    assertRedacted(stored, "the store");
    assert.match(stored.join(), /the token is \*{8}/);
    assert.match(stored.join(), /login refused for \*{8}/);
    const cipher = await SecretCipher.fromKey(KEY);
    const app = createApp({ engine: plane.engine, clock: systemClock, secretCipher: cipher });
    assertRedacted(await apiTexts(app, runIds), "the API");
  } finally {
    await plane.close();
  }
});

Deno.test("a secret a flow prints is redacted against a server: logs, results, events, API", async () => {
  const server = testServer({ secretCipher: await SecretCipher.fromKey(KEY) });
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => Promise.resolve(server.app.fetch(new Request(input, init))),
    results: createMemoryResultStore(),
  });
  try {
    const runIds = await runLeaks(plane);
    assert.equal(await getSecret("api_token", { plane }), SECRET_VALUE, "the value is intact");
    assertRedacted(await apiTexts(server.app, runIds), "the API");
    const stored = JSON.stringify(server.engine.reader.events());
    assert.ok(!stored.includes(SECRET_VALUE));
    assert.ok(
      !JSON.stringify(server.engine.reader.listDocuments({ collection: "secret" })).includes(
        SECRET_VALUE,
      ),
      "stored encrypted",
    );
  } finally {
    await plane.close();
  }
});

Deno.test("a wrong key fails clearly on read and write and loses nothing; no key says so", async () => {
  const plane = createInMemoryControlPlane({ secretKey: KEY });
  try {
    await setSecret("db_password", "correct horse", { plane });
    const other = createLocalControlPlane(plane.engine, systemClock, undefined, {
      secretKey: "another key, also long",
    });
    await assert.rejects(
      getSecret("db_password", { plane: other }),
      /Secret "db_password" was encrypted with another IRONFLOW_SECRET_KEY/,
    );
    await assert.rejects(
      setSecret("api_token", "sealed with the wrong key", { plane: other }),
      /another IRONFLOW_SECRET_KEY/,
    );
    assert.equal(await getSecret("db_password", { plane }), "correct horse", "nothing lost");
    await assert.rejects(getSecret("nope", { plane }), /Secret "nope" does not exist/);

    const keyless = createLocalSecretClient(plane.engine, { secretKey: () => undefined });
    await assert.rejects(keyless.reveal("db_password"), /IRONFLOW_SECRET_KEY is not set/);
    await assert.rejects(keyless.set("x_secret", "value"), /IRONFLOW_SECRET_KEY is not set/);
    assert.deepEqual((await keyless.list()).items.map((s) => s.name), ["db_password"]);
  } finally {
    await plane.close();
  }
});
