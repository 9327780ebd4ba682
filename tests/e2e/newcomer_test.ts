/**
 * A newcomer's first half hour, from a fresh `git clone` of this checkout
 * into a temporary folder: the README's quick start (`deno task start`,
 * `deno task demo`) and its tour, each command as written (the `ironflow`
 * alias is `deno run -A $PWD/main.ts` in the clone), in a shell with no
 * IronFlow settings, against the server the quick start starts; each step's
 * claim is checked against that server. Only the local Deno cache is used.
 */
import assert from "node:assert/strict";
import { codeBlocks, Lines, parseLine, shLines } from "./_readme.ts";
import { freePort, untilAnswered } from "./_kill.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** The longest any one command may take. */
const COMMAND_TIMEOUT_MS = 30_000;

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** A newcomer's shell: PATH and HOME (the Deno cache), nothing of IronFlow. */
function shellEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function exec(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Output> {
  const output = await new Deno.Command(command, {
    args: [...args],
    cwd: options.cwd,
    clearEnv: true,
    env: { ...shellEnv(), ...options.env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

interface DagNode {
  id: string;
  name: string;
  kind: string;
  map_count: number | null;
}

Deno.test("a newcomer clones the repository and follows the README's quick start and tour", async (t) => {
  const started = Date.now();
  const tmp = await Deno.makeTempDir({ prefix: "ironflow_newcomer_" });
  const clone = `${tmp}/ironflow`;
  const deno = Deno.execPath();
  let server: Deno.ChildProcess | undefined;
  try {
    const cloned = await exec("git", ["clone", "--quiet", ROOT, clone], { cwd: tmp });
    assert.equal(cloned.code, 0, cloned.stderr);
    const readme = await Deno.readTextFile(`${clone}/README.md`);
    const all = shLines(readme);
    const lines = new Lines(all);
    // `ironflow` as the README's alias defines it, run from the clone.
    const alias = lines.take('alias ironflow="deno run -A $PWD/main.ts"');
    assert.ok(alias);
    const ironflow = (args: string[], env: Record<string, string> = {}) =>
      exec(deno, ["run", "-A", `${clone}/main.ts`, ...args], { cwd: clone, env });
    const ok = async (args: string[], env: Record<string, string> = {}) => {
      const out = await ironflow(args, env);
      assert.equal(out.code, 0, `ironflow ${args.join(" ")}\n${out.stdout}\n${out.stderr}`);
      return out.stdout;
    };
    // `npx -y deno@2.9.6 task …` installs Deno from npm: the installed one stands in.
    const task = (name: string) => {
      const line = lines.take(`npx -y deno@${Deno.version.deno} task ${name}`);
      return { line, args: line.command.split(/\s+/).slice(3) };
    };

    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${url}${path}`);
      assert.equal(response.status, 200, path);
      return await response.json() as T;
    };

    await t.step("quick start: deno task start serves the dashboard and the API", async () => {
      const { line, args } = task("start");
      assert.match(line.comment, /serves the dashboard and API at http:\/\/127\.0\.0\.1:4200/);
      // On a free port instead of 4200, and without the embedded worker, as the tour's step 5 says.
      server = new Deno.Command(deno, {
        args: [...args, "--port", String(port), "--no-worker"],
        cwd: clone,
        clearEnv: true,
        env: shellEnv(),
        stdout: "null",
        stderr: "null",
      }).spawn();
      const page = await untilAnswered("the dashboard", async () => {
        const response = await fetch(`${url}/`);
        return response.ok ? await response.text() : undefined;
      });
      assert.match(page, /<html/i);
      const runs = await api<{ items: unknown[] }>("/api/flow-runs");
      assert.deepEqual(runs.items, []);
    });

    await t.step(
      "quick start: deno task demo prints the history and the run reaches the server",
      async () => {
        task("test"); // the suite itself: not run here
        const demo = readme.match(/`npx -y deno@\S+ task demo` \(or `(deno task demo)`\)/);
        assert.ok(demo, "README names deno task demo");
        const out = await exec(deno, ["task", "demo"], { cwd: clone });
        assert.equal(out.code, 0, out.stderr);
        // "a failed attempt retried (AwaitingRetry → Retrying), a subflow, the final state"
        assert.match(out.stdout, /AwaitingRetry[\s\S]*Retrying/);
        assert.match(out.stdout, /COMPLETED/);
        // "The run appears in the dashboard": the server reads the same ./.ironflow.
        const runs = await untilAnswered("the demo run on the server", async () => {
          const page = await api<{ items: Array<{ flow_name: string }> }>("/api/flow-runs");
          return page.items.length > 0 ? page.items : undefined;
        });
        assert.ok(runs.some((run) => run.flow_name === "etl"), JSON.stringify(runs));
      },
    );

    let runId = "";
    await t.step(
      "tour 1-2: the flow saved as written, run, listed, inspected, planned",
      async () => {
        const block = codeBlocks(readme).find((b) =>
          b.lang === "ts" && /export const sales/.test(b.body)
        );
        assert.ok(block, "README has no ts block exporting sales");
        await Deno.mkdir(`${clone}/flows`, { recursive: true });
        await Deno.writeTextFile(`${clone}/flows/sales.ts`, block.body);

        const line = lines.take("ironflow run ");
        const expected = line.comment.match(/^Flow run \S+ \(\S+\) (\w+) \/ Result: (.+)$/);
        assert.ok(expected, line.comment);
        const out = await ironflow(parseLine(line.command).args);
        assert.equal(out.code, expected[1] === "COMPLETED" ? 0 : 1, out.stderr);
        const printed = out.stdout.match(/^Flow run \S+ \(([0-9a-f-]+)\) (\w+)\nResult: (.+)$/m);
        assert.ok(printed, out.stdout);
        assert.equal(printed[2], expected[1]);
        assert.equal(printed[3], expected[2]);
        runId = printed[1]!;

        assert.match(
          await ok(parseLine(lines.take("ironflow flow-run ls").command).args),
          new RegExp(runId),
        );
        const inspect = await ok(
          parseLine(lines.take("ironflow flow-run inspect ").command.replace("<run id>", runId))
            .args,
        );
        assert.match(inspect, /load-0\s+load\s+COMPLETED/);
        assert.match(
          await ok(parseLine(lines.take("ironflow plan ").command).args),
          /extract#0 \(map\)[\s\S]*-> transform#0[\s\S]*-> load#0/,
        );
      },
    );

    await t.step(
      "tour 3: the server shows the run on top, with the graph the README draws",
      async () => {
        const top = await api<{ items: Array<{ id: string }> }>("/api/flow-runs?limit=1");
        assert.equal(top.items[0]?.id, runId);
        const claim = readme.match(/the graph \(`(\w+)` ×(\d+) → `(\w+)` → `(\w+)`\)/);
        assert.ok(claim, "README describes the run's graph");
        const [, mapped, times, middle, last] = claim;
        const dag = await api<{ nodes: DagNode[]; edges: Array<{ from: string; to: string }> }>(
          `/api/flow-runs/${runId}/dag`,
        );
        const byName = new Map(dag.nodes.map((node) => [node.name, node]));
        assert.equal(byName.get(mapped!)?.kind, "map");
        assert.equal(byName.get(mapped!)?.map_count, Number(times));
        const names = new Map(dag.nodes.map((node) => [node.id, node.name]));
        const edges = dag.edges.map((edge) => `${names.get(edge.from)} → ${names.get(edge.to)}`);
        assert.deepEqual(edges.sort(), [`${mapped} → ${middle}`, `${middle} → ${last}`].sort());
      },
    );

    let deploymentRunId = "";
    await t.step(
      "tour 4: ironflow.yaml deployed; the server schedules its runs; one run now",
      async () => {
        const yaml = codeBlocks(readme).find((b) =>
          b.lang === "yaml" && /^deployments:/.test(b.body)
        );
        assert.ok(yaml, "README has no ironflow.yaml block");
        await Deno.writeTextFile(`${clone}/ironflow.yaml`, yaml.body);
        assert.match(
          await ok(parseLine(lines.take("ironflow deploy ").command).args),
          /created\s+sales-every-5-min/,
        );
        assert.match(
          await ok(parseLine(lines.take("ironflow deployment ls").command).args),
          /sales-every-5-min\s+sales\s+default/,
        );
        const inspect = parseLine(lines.take("ironflow deployment inspect ").command).args;
        // "its upcoming SCHEDULED runs": created by the server's services loop.
        await untilAnswered("scheduled runs", async () => {
          const out = await ok(inspect);
          return /\sScheduled\s/.test(out) ? out : undefined;
        });
        const created = await ok(parseLine(lines.take("ironflow deployment run ").command).args);
        const match = created.match(/^Created flow run \S+ \(([0-9a-f-]+)\) Scheduled$/m);
        assert.ok(match, created);
        deploymentRunId = match[1]!;
      },
    );

    await t.step("tour 5: the worker runs the deployment run to COMPLETED", async () => {
      const local = parseLine(lines.take("ironflow worker start ").command).args;
      // Without --max-runs a worker polls forever.
      assert.match(
        await ok([...local, "--max-runs", "1"]),
        new RegExp(`run ${deploymentRunId} ended COMPLETED`),
      );
      const run = await api<{ run: { state: string } }>(`/api/flow-runs/${deploymentRunId}`);
      assert.equal(run.run.state, "COMPLETED");
      const pages = Number(
        lines.take("ironflow deployment run ").command.match(/pages=(\d+)/)?.[1],
      );
      const logs = await api<{ items: Array<{ message: string }> }>(
        `/api/flow-runs/${deploymentRunId}/logs`,
      );
      assert.ok(logs.items.some((log) => log.message === `loading ${pages * 2} rows`));

      // The worker "from another host" reaches the server by its URL.
      const again = JSON.parse(await ok(["deployment", "run", "sales-every-5-min", "--json"]));
      const remote = parseLine(lines.take("IRONFLOW_API_URL=").command);
      const out = await ok([...remote.args, "--max-runs", "1"], {
        IRONFLOW_API_URL: remote.env.IRONFLOW_API_URL!.replace(/^http:\/\/server:4200$/, url),
      });
      assert.match(out, new RegExp(`run ${again.id} ended COMPLETED`));
    });

    assert.ok(Date.now() - started < 110_000, `took ${Date.now() - started} ms`);
  } finally {
    if (server) {
      try {
        server.kill("SIGTERM");
      } catch { /* already gone */ }
      await server.status;
    }
    await Deno.remove(tmp, { recursive: true });
  }
});
