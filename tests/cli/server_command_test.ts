/**
 * `ironflow server start`: a port in use is named with the way out, and the
 * server says what it runs.
 */
import assert from "node:assert/strict";
import { ironflow, spawnIronflow, tempHome } from "./_cli.ts";

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
  await using server = spawnIronflow(home.path, [
    "server",
    "start",
    "--port",
    "0",
    "--no-services",
    "--pool",
    "gpu",
  ]);
  // The four lines follow the listening line.
  const text = await server.waitFor(/auth .*\n/);
  assert.match(text, new RegExp(`^  home +${home.path}$`, "m"));
  assert.match(text, /^ {2}worker +embedded, on work pool "gpu"$/m);
  assert.match(text, /^ {2}services loop off \(--no-services\)$/m);
  assert.match(text, /^ {2}auth +off: anyone who can reach the port may act$/m);
});
