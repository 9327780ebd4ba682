/**
 * A flow project's own `deno.json` (its import map, its copy of the SDK) is
 * what its flows are loaded with, whichever IronFlow process loads them — as
 * `deno run flows/hello.ts` would: `ironflow run` started from this checkout
 * (in-process and against a server), `ironflow deploy`'s checks, and a
 * deployment's run on a separate `worker start` and on a server's embedded
 * worker. Deno finds a process's configuration from its main module, so
 * without this the project's mapped names do not resolve in those processes.
 */
import assert from "node:assert/strict";
import { runDeno } from "./_deno.ts";
import { until } from "./_kill.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/**
 * `ironflow init` in a fresh directory (its deno.json maps "ironflow" to the
 * SDK copy in vendor/), plus a name of the project's own: "greeting".
 */
async function project(): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_project_" }));
  const init = await runDeno(["run", "-A", MAIN, "init"], { cwd: dir });
  assert.equal(init.code, 0, init.stderr);
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({
      imports: { ironflow: "./vendor/ironflow/sdk/mod.ts", greeting: "./lib/greeting.ts" },
    }),
  );
  await Deno.mkdir(`${dir}/lib`);
  await Deno.writeTextFile(`${dir}/lib/greeting.ts`, `export const greeting = "Hi";\n`);
  await Deno.writeTextFile(
    `${dir}/flows/hello.ts`,
    `import { flow, task } from "ironflow";
import { greeting } from "greeting";
const greet = task({ name: "greet" }, (name: string) => greeting + " " + name);
export const hello = flow({ name: "hello" }, async (name: string = "world") => {
  const line = (await greet(name)) + " with " + import.meta.resolve("ironflow");
  console.log(line);
  return line;
});
`,
  );
  return dir;
}

const said = (dir: string) => `Hi world with file://${dir}/vendor/ironflow/sdk/mod.ts`;

function ironflow(dir: string, env: Record<string, string>, ...args: string[]) {
  return runDeno(["run", "-A", MAIN, ...args], { cwd: dir, env });
}

Deno.test("ironflow run, deploy and a worker load a project's flows with its own deno.json", async () => {
  const dir = await project();
  const env = { IRONFLOW_HOME: `${dir}/.ironflow` };
  try {
    const run = await ironflow(dir, env, "run", "flows/hello.ts:hello", "--json");
    assert.equal(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    assert.equal(outcome.state, "COMPLETED");
    assert.equal(outcome.result, said(dir));

    const deploy = await ironflow(dir, env, "deploy", "--all");
    assert.equal(deploy.code, 0, deploy.stderr);
    const created = await ironflow(dir, env, "deployment", "run", "hello-hourly", "--json");
    assert.equal(created.code, 0, created.stderr);
    const runId = JSON.parse(created.stdout).id as string;
    const worker = await ironflow(dir, env, "worker", "start", "--max-runs", "1");
    assert.equal(worker.code, 0, worker.stderr);
    assert.match(worker.stdout, /ended COMPLETED/);
    const logs = await ironflow(dir, env, "flow-run", "logs", runId);
    assert.ok(logs.stdout.includes(said(dir)), logs.stdout + logs.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("against a server: a remote ironflow run and the embedded worker's runs use the project's deno.json", async () => {
  const dir = await project();
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "server", "start", "--port", String(port), "--home", `${dir}/.srv`],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const env = { IRONFLOW_API_URL: url };
  try {
    await until(async () => {
      try {
        return (await fetch(`${url}/api/health`).then((r) => r.text())).length > 0;
      } catch {
        return false;
      }
    }, "the server to answer");
    const run = await ironflow(dir, env, "run", "flows/hello.ts:hello", "--json");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout.trim().split("\n").at(-1)!).result, said(dir));

    const deploy = await ironflow(dir, env, "deploy", "--all");
    assert.equal(deploy.code, 0, deploy.stderr);
    const created = await ironflow(dir, env, "deployment", "run", "hello-hourly", "--json");
    const runId = JSON.parse(created.stdout).id as string;
    let state = "";
    await until(async () => {
      const answer = await fetch(`${url}/api/runs/${runId}`).then((r) => r.json());
      state = answer.state;
      return ["COMPLETED", "FAILED", "CRASHED"].includes(state);
    }, "the deployment's run to end");
    assert.equal(state, "COMPLETED");
    const logs = await ironflow(dir, env, "flow-run", "logs", runId);
    assert.ok(logs.stdout.includes(said(dir)), logs.stdout + logs.stderr);
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await Deno.remove(dir, { recursive: true });
  }
});

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * `ironflow task serve tasks.ts` in a project whose task uses its "greeting",
 * once it says it serves; `output()` is what it printed so far.
 */
async function serveProjectTask(dir: string) {
  await Deno.writeTextFile(
    `${dir}/tasks.ts`,
    `import { task } from "ironflow";
import { greeting } from "greeting";
export const greet = task({ name: "greet" }, (name: string) => greeting + " " + name);
`,
  );
  const ironflow = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "task", "serve", "tasks.ts"],
    cwd: dir,
    env: { NO_COLOR: "1", IRONFLOW_HOME: `${dir}/.ironflow` },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const reading = (async () => {
    for await (const chunk of ironflow.stdout.pipeThrough(new TextDecoderStream())) out += chunk;
  })();
  const errors = new Response(ironflow.stderr).text();
  await until(() => out.includes(`Task worker serving "greet"`), "the task worker to serve");
  return { ironflow, reading, errors, output: () => out };
}

function killed(child: Deno.ChildProcess): Promise<Deno.CommandStatus> {
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
  return child.status;
}

Deno.test("ironflow task serve from a checkout serves a project's tasks, and SIGTERM stops it", async () => {
  const dir = await project();
  try {
    const served = await serveProjectTask(dir);
    try {
      // The command runs again under the project's deno.json; the signal reaches that process.
      served.ironflow.kill("SIGTERM");
      const status = await served.ironflow.status;
      await served.reading;
      assert.equal(status.code, 0, await served.errors);
      assert.match(served.output(), /Task worker stopped/);
    } finally {
      await killed(served.ironflow);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "a command run again under a project's deno.json ends when its ironflow process is SIGKILLed",
  ignore: Deno.build.os !== "linux", // finds the child in /proc
  fn: async () => {
    const dir = await project();
    let child = 0;
    try {
      const served = await serveProjectTask(dir);
      try {
        const { pid } = served.ironflow;
        const children = await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`);
        child = Number(children.trim().split(/\s+/)[0]);
        assert.ok(child > 0, "the command runs again in a child process");
        await killed(served.ironflow);
        await until(async () => {
          try {
            const stat = await Deno.readTextFile(`/proc/${child}/stat`);
            return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z"); // exited, not yet reaped
          } catch {
            return true; // gone
          }
        }, "the child to end with its parent");
        await served.reading;
      } finally {
        await killed(served.ironflow);
      }
    } finally {
      if (child > 0) {
        try {
          Deno.kill(child, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
