import assert from "node:assert/strict";
import { createApp, isLoopback, serve, startServer } from "../../server/mod.ts";
import { countingSubscriptions, SseReader, testServer } from "./_helpers.ts";

Deno.test("startServer() serves the SQLite home on a free port and shuts down gracefully", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_server_test_" });
  try {
    const server = await startServer({
      home,
      host: "127.0.0.1",
      port: 0,
      handleSignals: false,
      onListen: () => {},
    });
    assert.ok(server.addr.port > 0);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, "ok");
    const created = await fetch(`${server.url}/api/runs/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ runs: [{ id: "r1", kind: "flow", name: "etl" }] }),
    });
    assert.equal(created.status, 200);
    await created.body?.cancel();

    // An open SSE stream does not hold the shutdown: it ends with the server.
    const stream = new SseReader(await fetch(`${server.url}/api/stream/events?after_seq=0`));
    const [event] = await stream.take(1);
    assert.equal(event!.id, "1");
    await server.shutdown();
    assert.equal(await stream.ended(), true);
    await assert.rejects(fetch(`${server.url}/health`));
    assert.ok((await Deno.stat(`${home}/ironflow.db`)).isFile);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("serve() lets an in-flight request finish when its signal aborts", async () => {
  const { app, close } = testServer();
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let arrived!: () => void;
  const inside = new Promise<void>((resolve) => arrived = resolve);
  app.get("/test/slow", async (c) => {
    arrived();
    await released;
    return c.text("finished");
  });
  const controller = new AbortController();
  const handle = serve(app, { port: 0, signal: controller.signal, onListen: () => {} });
  const pending = fetch(`${handle.url}/test/slow`);
  await inside;
  controller.abort();
  release();
  const res = await pending;
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "finished");
  await handle.finished;
  close();
});

Deno.test("startServer() warns on stderr when binding beyond loopback without an API key", async () => {
  assert.equal(isLoopback("127.0.0.1"), true);
  assert.equal(isLoopback("localhost"), true);
  assert.equal(isLoopback("[::1]"), true);
  assert.equal(isLoopback("0.0.0.0"), false);
  assert.equal(isLoopback("192.168.1.10"), false);
  const home = await Deno.makeTempDir({ prefix: "ironflow_server_test_" });
  const original = console.error;
  const warnings: string[] = [];
  console.error = (message: string) => warnings.push(message);
  try {
    // 0.0.0.0 on port 0 only listens; nothing is sent anywhere.
    const open = await startServer({
      home,
      host: "0.0.0.0",
      port: 0,
      handleSignals: false,
      onListen: () => {},
    });
    await open.shutdown();
    const keyed = await startServer({
      home,
      host: "0.0.0.0",
      port: 0,
      apiKey: "k",
      handleSignals: false,
      onListen: () => {},
    });
    await keyed.shutdown();
  } finally {
    console.error = original;
    await Deno.remove(home, { recursive: true });
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /without an API key/);
});

Deno.test("serve(): a client that disconnects from an SSE stream is unsubscribed", async () => {
  const server = testServer();
  const { engine, active } = countingSubscriptions(server.engine);
  const controller = new AbortController();
  const app = createApp({ engine, clock: server.clock, signal: controller.signal });
  const handle = serve(app, { port: 0, signal: controller.signal, onListen: () => {} });
  const baseline = active();
  const client = new AbortController();
  const res = await fetch(`${handle.url}/api/stream/events`, { signal: client.signal });
  const reader = res.body!.getReader();
  await reader.read(); // the stream is open
  assert.equal(active(), baseline + 1);
  client.abort();
  await reader.cancel().catch(() => {});
  for (let i = 0; i < 200 && active() > baseline; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(active(), baseline);
  controller.abort();
  await handle.finished;
});
