// A script that runs flows against a server must end when its work is done:
// after close() nothing of the remote plane (its event stream above all) may
// keep the process alive. Real processes: a server and a client script.
import assert from "node:assert/strict";
import { freePort, spawnIronflow, tempHome } from "../cli/_cli.ts";

const SDK = new URL("../../sdk/mod.ts", import.meta.url).href;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

// 1,000 concurrent three-task flows: enough events in flight that the stream
// is still reading when the last run ends (200 did not show the hang).
const CLIENT = `
import { createRemoteControlPlane, flow, task } from "${SDK}";
const step = task({ name: "step" }, (x: number) => x + 1);
const three = flow({ name: "three" }, async (x: number) => await step(await step(await step(x))));
const plane = createRemoteControlPlane({ url: Deno.args[0] });
const outcomes = await Promise.all(Array.from({ length: 1000 }, (_, i) => three.runWith({ plane }, i)));
await plane.close();
console.log(outcomes.filter((o) => o.state.type === "COMPLETED").length);
`;

Deno.test("a script of many remote flow runs exits once it closes its plane", async () => {
  await using home = await tempHome();
  const port = freePort();
  await using server = spawnIronflow(home.path, [
    "server",
    "start",
    "--port",
    String(port),
    "--no-worker",
    "--no-services",
  ]);
  await server.waitFor(/^ {2}auth .*\n/m);
  const script = `${home.path}/client.ts`;
  await Deno.writeTextFile(script, CLIENT);
  // Bounded: a client that never exits is killed and fails the test.
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", "--config", CONFIG, script, `http://127.0.0.1:${port}`],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000),
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.signal, null, `the client did not exit by itself: ${stderr}`);
  assert.equal(output.code, 0, stderr);
  assert.equal(new TextDecoder().decode(output.stdout).trim(), "1000");
});
