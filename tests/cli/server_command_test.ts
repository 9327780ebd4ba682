/**
 * `ironflow server start`: a port in use is named with the way out, and the
 * server says what it runs.
 */
import assert from "node:assert/strict";
import { ironflow, tempHome } from "./_cli.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("server start on a port in use names the port and suggests --port, without a stack", async () => {
  await using home = await tempHome();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const out = await ironflow(home.path, ["server", "start", "--port", String(port), "--no-worker"]);
  assert.equal(out.code, 1);
  assert.equal(
    out.stderr.trim(),
    `Error: Port ${port} on 127.0.0.1 is in use: another server (maybe IronFlow) listens there. ` +
      `Stop it, or pick another port with --port (e.g. --port ${port + 1})`,
  );
});

Deno.test("server start says what it runs: home, worker, services loop, auth", async () => {
  await using home = await tempHome();
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      CONFIG,
      MAIN,
      "server",
      "start",
      "--port",
      "0",
      "--no-services",
      "--pool",
      "gpu",
    ],
    env: { IRONFLOW_HOME: home.path, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let text = "";
  try {
    const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    // Bounded: the four lines follow the listening line.
    for (let reads = 0; reads < 50 && !/auth .*\n/.test(text); reads++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    reader.releaseLock();
  } finally {
    server.kill("SIGTERM");
    await server.stdout.cancel().catch(() => {});
    await server.status;
  }
  assert.match(text, new RegExp(`^  home +${home.path}$`, "m"));
  assert.match(text, /^ {2}worker +embedded, on work pool "gpu"$/m);
  assert.match(text, /^ {2}services loop off \(--no-services\)$/m);
  assert.match(text, /^ {2}auth +off: anyone who can reach the port may act$/m);
});
