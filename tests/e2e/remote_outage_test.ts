/**
 * A flow reporting to a real server subprocess rides out the server being
 * killed and restarted, and fails cleanly when it stays away past
 * `IRONFLOW_REMOTE_OUTAGE_MS`.
 */
import assert from "node:assert/strict";
import { freePort } from "./_kill.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const FLOW = new URL("../testdata/sdk/outage_flow.ts", import.meta.url).pathname;

async function startServer(home: string, port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "server",
      "start",
      "--port",
      String(port),
      "--home",
      home,
      "--no-worker",
    ],
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 300; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      await response.body?.cancel();
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`Server on port ${port} did not start`);
}

async function kill(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await child.status;
}

/** Starts the flow script; `ready` resolves once it printed READY. */
function startFlow(port: number, outageMs: number, gate: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FLOW],
    env: {
      NO_COLOR: "1",
      IRONFLOW_API_URL: `http://127.0.0.1:${port}`,
      IRONFLOW_REMOTE_OUTAGE_MS: String(outageMs),
      OUTAGE_GATE: gate,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => markReady = resolve);
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += chunk;
      if (stdout.includes("READY")) markReady();
    }
  })();
  const stderr = new Response(child.stderr).text();
  const done = (async () => {
    const status = await child.status;
    await reading;
    return { code: status.code, stdout, stderr: await stderr };
  })();
  return { ready, done };
}

Deno.test("a remote flow rides out its server being killed and restarted", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_outage_" });
  const port = freePort();
  let server = await startServer(home, port);
  try {
    const run = startFlow(port, 30_000, `${home}/gate`);
    await run.ready;
    await kill(server);
    await Deno.writeTextFile(`${home}/gate`, "open");
    // Longer than the ~3 s the client used to give up after.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    server = await startServer(home, port);

    const { code, stdout, stderr } = await run.done;

    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /Uncaught/);
    const [, state, runId] = stdout.match(/OUTCOME (\w+) (\S+)/)!;
    assert.equal(state, "COMPLETED");
    const response = await fetch(`http://127.0.0.1:${port}/api/runs/${runId}`);
    assert.equal((await response.json()).state, "COMPLETED");
  } finally {
    await kill(server);
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a remote flow whose server stays away fails cleanly after IRONFLOW_REMOTE_OUTAGE_MS", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_outage_" });
  const port = freePort();
  const server = await startServer(home, port);
  try {
    const run = startFlow(port, 1500, `${home}/gate`);
    await run.ready;
    await kill(server);
    await Deno.writeTextFile(`${home}/gate`, "open");

    const { code, stderr } = await run.done;

    assert.equal(code, 3, stderr);
    assert.match(stderr, /FLOW ERROR .*unreachable.*IRONFLOW_REMOTE_OUTAGE_MS/);
    assert.doesNotMatch(stderr, /Uncaught/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
