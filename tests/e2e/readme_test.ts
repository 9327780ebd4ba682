/**
 * README.md, followed as a newcomer follows it, so it cannot drift: the tour's
 * flow is saved exactly as shown and every `ironflow` line of its `sh` blocks is
 * run (or named in {@linkcode NOT_RUN} with the reason and a cheaper check); the
 * CLI reference's usage lines are checked against each command's `--help`; the
 * environment variables it names are the ones the product reads.
 */
import assert from "node:assert/strict";
import { codeBlocks, Lines, parseLine, shLines } from "./_readme.ts";
import { freePort, untilAnswered } from "./_kill.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CONFIG = `${ROOT}deno.json`;
const README_PATH = `${ROOT}README.md`;
const PRODUCT_DIRS = ["engine", "sdk", "server", "cli", "ui", "main.ts"];
/** The longest any one command may take before the test gives up on it. */
const COMMAND_TIMEOUT_MS = 30_000;

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `sh` lines the test does not run, each with why and what it checks instead.
 * Every other line must be an `ironflow` command that the tour below runs.
 */
const NOT_RUN: Array<{ pattern: RegExp; why: string; check: (line: string) => Promise<void> }> = [
  {
    // Installs Deno from npm; `start` serves forever and `test` is this suite.
    pattern: /^npx -y deno@\S+ task \S+$/,
    why: "installs Deno from npm",
    check: async (line) => {
      const version = line.match(/deno@(\S+)/)![1];
      const ci = await Deno.readTextFile(`${ROOT}.ci/run`);
      assert.match(ci, new RegExp(`DENO_VERSION="${version!.replaceAll(".", "\\.")}"`), line);
      await assertTaskExists(line);
    },
  },
  {
    // `start` serves forever (the tour starts `server start` itself), `test` and
    // `ci` are this suite, `bench` and `screenshots` take minutes.
    pattern: /^deno task \S+$/,
    why: "serves forever, is the suite itself, or takes minutes",
    check: assertTaskExists,
  },
  {
    pattern: /^deno (run|bench) -A bench\/\S+( --quick| --base \S+)?$/,
    why: "benchmarks take minutes",
    check: async (line) => {
      const script = line.split(" ")[3]!;
      const source = await Deno.readTextFile(`${ROOT}${script}`);
      if (line.endsWith("--quick")) assert.match(source, /--quick/, `${script} has no --quick`);
      if (line.includes("--base")) assert.match(source, /--base/, `${script} has no --base`);
    },
  },
  {
    // The test runs the same command: see ironflowCommand().
    pattern: /^alias ironflow="deno run -A \$PWD\/main\.ts"$/,
    why: "defines ironflow",
    check: () => Promise.resolve(),
  },
];

const readme = await Deno.readTextFile(README_PATH);

async function assertTaskExists(line: string): Promise<void> {
  const task = line.split(" ").at(-1)!;
  const config = JSON.parse(await Deno.readTextFile(CONFIG)) as { tasks: Record<string, string> };
  assert.ok(config.tasks[task], `deno.json has no task "${task}" (README: ${line})`);
}

/** `ironflow` as the README's alias defines it, with the checkout's config. */
function ironflowCommand(): string[] {
  // --no-lock: the temp project's modules must not enter deno.lock.
  return ["run", "-A", "--no-lock", "--config", CONFIG, `${ROOT}main.ts`];
}

/** Runs `ironflow <args>` to completion (bounded), with colours off. */
async function ironflow(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<Output> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...ironflowCommand(), ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("README: the sh lines the tour does not run are listed, with a check", async () => {
  for (const { command } of shLines(readme)) {
    if (command.startsWith("ironflow ") || /^[A-Z_]+=\S+ .*ironflow /.test(command)) continue;
    const rule = NOT_RUN.find((r) => r.pattern.test(command));
    assert.ok(rule, `README sh line is neither run nor in NOT_RUN: ${command}`);
    await rule.check(command);
  }
});

Deno.test("README: the five-minute tour runs as written", async (t) => {
  const lines = new Lines(
    shLines(readme).filter((l) =>
      /(^| )ironflow /.test(l.command) && !l.command.startsWith("alias")
    ),
  );
  const project = await Deno.makeTempDir({ prefix: "ironflow_readme_" });
  const home = `${project}/.ironflow-home`;
  const env = { IRONFLOW_HOME: home };
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    ironflow(args, { cwd: project, env: { ...env, ...extraEnv } });
  const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const out = await run(args, extraEnv);
    assert.equal(out.code, 0, `ironflow ${args.join(" ")}\n${out.stdout}\n${out.stderr}`);
    return out.stdout;
  };
  const apiKey = crypto.randomUUID();
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  let server: Deno.ChildProcess | undefined;
  try {
    await t.step("1. the flow, saved as flows/sales.ts", async () => {
      const block = codeBlocks(readme).find((b) =>
        b.lang === "ts" && /export const sales/.test(b.body)
      );
      assert.ok(block, "README has no ts block exporting sales");
      // Saved as written: "ironflow" is the checkout's import map entry for the SDK.
      assert.match(block.body, /^import \{[^}]+\} from "ironflow";$/m);
      await Deno.mkdir(`${project}/flows`);
      await Deno.writeTextFile(`${project}/flows/sales.ts`, block.body);
    });

    // The server the tour keeps running (`deno task start`), without its worker as
    // step 5 says; a short services interval makes the scheduled runs appear soon.
    server = new Deno.Command(Deno.execPath(), {
      args: [...ironflowCommand(), "server", "start", "--port", String(port), "--no-worker"],
      cwd: project,
      env: {
        ...env,
        NO_COLOR: "1",
        IRONFLOW_API_KEY: apiKey,
        IRONFLOW_SERVICES_INTERVAL_MS: "200",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const serverUp = untilAnswered(
      "the server",
      async () => (await fetch(`${url}/health`)).ok || undefined,
    );

    let runId = "";
    let pages = 0;
    await t.step("2. run, flow-run ls / inspect / logs / events, plan", async () => {
      const line = lines.take("ironflow run ");
      const { args } = parseLine(line.command);
      const expected = line.comment.match(/^Flow run \S+ \(\S+\) (\w+) \/ Result: (.+)$/);
      assert.ok(expected, `unexpected comment on "${line.command}": ${line.comment}`);
      const out = await run(args);
      assert.equal(out.code, expected[1] === "COMPLETED" ? 0 : 1, out.stderr);
      const printed = out.stdout.match(/^Flow run \S+ \(([0-9a-f-]+)\) (\w+)\nResult: (.+)$/m);
      assert.ok(printed, out.stdout);
      assert.equal(printed[2], expected[1]);
      assert.equal(printed[3], expected[2]);
      runId = printed[1]!;
      pages = Number(args.find((a) => a.startsWith("pages="))!.split("=")[1]);

      const [ls, inspect, plan] = await Promise.all([
        ok(parseLine(lines.take("ironflow flow-run ls").command).args),
        ok(
          parseLine(lines.take("ironflow flow-run inspect ").command.replace("<run id>", runId))
            .args,
        ),
        ok(parseLine(lines.take("ironflow plan ").command).args),
      ]);
      assert.match(ls, new RegExp(`${runId}\\s+\\S+\\s+sales\\s+COMPLETED`));
      for (let i = 0; i < pages; i++) {
        assert.match(inspect, new RegExp(`extract-${i}\\s+extract\\s+COMPLETED`));
      }
      assert.match(inspect, /transform-0\s+transform\s+COMPLETED/);
      assert.match(inspect, /load-0\s+load\s+COMPLETED/);
      assert.match(plan, /extract#0 \(map\)[\s\S]*transform#0[\s\S]*load#0/);
      // The inspect line's comment names logs and events too.
      const [logs, events] = await Promise.all([
        ok(["flow-run", "logs", runId]),
        ok(["flow-run", "events", runId]),
      ]);
      assert.match(logs, new RegExp(`INFO\\s+loading ${pages * 2} rows`));
      assert.match(events, /RUNNING\s+COMPLETED/);
    });

    await t.step("3. the server follows the run written by the CLI", async () => {
      await serverUp;
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200, "GET /health answers without a key");
      await health.body?.cancel();
      const runs = await fetch(`${url}/api/flow-runs`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      assert.equal(runs.status, 200);
      assert.match(await runs.text(), new RegExp(runId));
    });

    let deploymentRunId = "";
    await t.step("4. ironflow.yaml, deploy, deployment ls / inspect / run", async () => {
      const yaml = codeBlocks(readme).find((b) =>
        b.lang === "yaml" && /^deployments:/.test(b.body)
      );
      assert.ok(yaml, "README has no ironflow.yaml block");
      await Deno.writeTextFile(`${project}/ironflow.yaml`, yaml.body);
      const deploy = lines.take("ironflow deploy ");
      const { args } = parseLine(deploy.command);
      if (/--dry-run/.test(deploy.comment)) {
        const dry = await ok([...args, "--dry-run"]);
        assert.match(dry, /created\s+sales-every-5-min[\s\S]*Dry run: nothing was changed/);
      }
      assert.match(await ok(args), /created\s+sales-every-5-min\s+\.\/flows\/sales\.ts:sales/);
      assert.match(
        await ok(parseLine(lines.take("ironflow deployment ls").command).args),
        /sales-every-5-min\s+sales\s+default\s+1\/1\s+no/,
      );
      const inspect = parseLine(lines.take("ironflow deployment inspect ").command).args;
      // "its upcoming SCHEDULED runs": the server's services loop creates them.
      await untilAnswered("scheduled runs", async () => {
        const out = await ok(inspect);
        return /\sScheduled\s/.test(out) ? out : undefined;
      });
      const runNow = parseLine(lines.take("ironflow deployment run ").command).args;
      const created = await ok(runNow);
      const match = created.match(/^Created flow run \S+ \(([0-9a-f-]+)\) Scheduled$/m);
      assert.ok(match, created);
      deploymentRunId = match[1]!;
    });

    await t.step("5. a worker on the embedded store, and one from another host", async () => {
      const local = parseLine(lines.take("ironflow worker start ").command).args;
      // Without --max-runs a worker polls forever.
      const worked = await ok([...local, "--max-runs", "1"]);
      assert.match(worked, new RegExp(`run ${deploymentRunId} ended COMPLETED`));
      const pagesNow = Number(
        lines.take("ironflow deployment run ").command.match(/pages=(\d+)/)?.[1] ?? "NaN",
      );
      assert.match(
        await ok(["flow-run", "logs", deploymentRunId]),
        new RegExp(`loading ${pagesNow * 2} rows`),
      );

      // The remote worker needs a run to claim, so run the deployment once more.
      const again = await ok(["deployment", "run", "sales-every-5-min", "--json"]);
      assert.ok((JSON.parse(again) as { id: string }).id);
      const remote = parseLine(lines.take("IRONFLOW_API_URL=").command);
      assert.deepEqual(Object.keys(remote.env).sort(), ["IRONFLOW_API_KEY", "IRONFLOW_API_URL"]);
      const remoteOut = await ok([...remote.args, "--max-runs", "1"], {
        IRONFLOW_API_URL: remote.env.IRONFLOW_API_URL!.replace(/^http:\/\/server:4200$/, url),
        IRONFLOW_API_KEY: remote.env.IRONFLOW_API_KEY!.replace(/^…$/, apiKey),
      });
      // The schedule runs on the wall clock: at a five-minute mark one of its runs comes
      // due and, scheduled earlier, is claimed before the one just made. Either is a run
      // of this deployment that a worker on another host took and finished.
      const claimed = remoteOut.match(/claimed run (\S+) of deployment "sales-every-5-min"/)?.[1];
      assert.ok(claimed, remoteOut);
      assert.match(remoteOut, new RegExp(`run ${claimed} ended COMPLETED`));
    });

    await t.step("db export writes the history as JSON lines", async () => {
      // The CLI reference: `ironflow db export [--out F]`.
      await ok(["db", "export", "--out", `${project}/events.jsonl`]);
      const events = (await Deno.readTextFile(`${project}/events.jsonl`)).trim().split("\n");
      const parsed = events.map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.ok(parsed.some((event) => JSON.stringify(event).includes(runId)));
    });

    await t.step("every ironflow line of the README's sh blocks ran", () => {
      assert.deepEqual(lines.unused.map((l) => l.command), []);
    });
  } finally {
    if (server) {
      try {
        server.kill("SIGTERM");
      } catch { /* already gone */ }
      await server.status;
    }
    await Deno.remove(project, { recursive: true });
  }
});

/** The usage lines of the CLI reference block, without their descriptions. */
function referenceLines(markdown: string): string[] {
  const reference = codeBlocks(markdown).filter((b) =>
    b.lang === "" && b.body.startsWith("ironflow ") &&
    b.body.trim().split("\n").every((l) => /^(ironflow | )/.test(l))
  );
  assert.equal(reference.length, 1, "README should have one CLI reference block");
  // An indented line continues the usage above it.
  return reference[0]!.body.trim().replace(/\n\s+(?=\[)/g, " ").split("\n")
    .map((l) => l.split(/\s{2,}/)[0]!);
}

/** `usage` when it is a line of the CLI reference block. */
function blockLine(usage: string): string | undefined {
  return referenceLines(readme).find((line) => line === usage);
}

/** `ironflow …` usages: the CLI reference block's lines and inline code spans. */
function usages(markdown: string): string[] {
  const inline = [...markdown.matchAll(/`(ironflow [^`]+)`/g)].map((m) => m[1]!);
  return [...new Set([...referenceLines(markdown), ...inline])];
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

Deno.test("README: the CLI reference's commands, flags and subcommands exist", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_readme_cli_" });
  try {
    const help = (command: string) =>
      ironflow([command, "--help"], { cwd: home, env: { IRONFLOW_HOME: home } });
    const global = (await help("help")).stdout;
    const checks = new Map<string, string[]>();
    for (const usage of usages(readme)) {
      const command = usage.split(" ")[1]!;
      if (command.startsWith("<")) continue; // `ironflow <command> --help`
      checks.set(command, [...(checks.get(command) ?? []), usage]);
    }
    await pool([...checks.entries()], 4, async ([command, lines]) => {
      const out = await help(command);
      assert.equal(out.code, 0, `ironflow ${command} --help\n${out.stderr}`);
      if (command === "version") {
        // Prints IronFlow, Deno and store schema versions.
        assert.match(out.stdout, /^ironflow \S+\ndeno \S+\nstore schema \d+/);
        return;
      }
      assert.match(out.stdout, new RegExp(`Usage: ironflow ${command}\\b`));
      // The global help lists every command.
      assert.match(global, new RegExp(`^  ${command}\\b`, "m"), `ironflow --help lacks ${command}`);
      // A reference line that shows options shows them all (those of every command aside).
      const line = lines.find((usage) => usage === blockLine(usage) && / --?[a-z]/.test(usage));
      const usageText = out.stdout.split("\n\n")[0]!;
      for (const flag of line ? usageText.matchAll(/(?<![\w-])--[a-z][a-z-]*/g) : []) {
        if (global.includes(`  ${flag[0]} `)) continue;
        assert.ok(line!.includes(flag[0]), `README's "${line}" lacks ${flag[0]}`);
      }
      for (const usage of lines) {
        const words = usage.split(" ").slice(2);
        for (const flag of usage.matchAll(/(?<![\w-])--?[a-z][a-z-]*/g)) {
          const known = new RegExp(`(?<![\\w-])${flag[0]}(?![\\w-])`);
          assert.ok(
            known.test(out.stdout) || known.test(global),
            `README's "${usage}": ironflow ${command} has no ${flag[0]}`,
          );
        }
        // Subcommands: the first word (`ls|inspect|…`, `start`) and those after `|`.
        const subcommands = words.filter((_w, at) => at === 0 || words[at - 1] === "|")
          .filter((w) => /^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/.test(w))
          .flatMap((w) => w.split("|"));
        for (const sub of subcommands) {
          assert.match(
            out.stdout,
            new RegExp(`(^|\\s)${sub}(\\s|$)`, "m"),
            `README's "${usage}": ironflow ${command} has no ${sub}`,
          );
          // The global help's line for the command lists its subcommands too.
          const listed = global.match(new RegExp(`^  ${command}\\b.*$`, "m"))?.[0] ?? "";
          if (/ \| /.test(listed)) {
            assert.match(
              listed,
              new RegExp(`\\b${sub}\\b`),
              `ironflow --help: ${command} lacks ${sub}`,
            );
          }
        }
      }
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("README: ironflow init, deploy and demo do what the README says", async () => {
  const project = await Deno.makeTempDir({ prefix: "ironflow_readme_init_" });
  const env = { IRONFLOW_HOME: `${project}/.ironflow-home` };
  const demoHome = await Deno.makeTempDir({ prefix: "ironflow_readme_demo_" });
  try {
    const demo = ironflow(["demo"], { cwd: demoHome, env: { IRONFLOW_HOME: demoHome } });
    // "a starter ironflow.yaml and flows/hello.ts"
    const init = await ironflow(["init"], { cwd: project, env });
    assert.equal(init.code, 0, init.stderr);
    await Deno.stat(`${project}/ironflow.yaml`);
    await Deno.stat(`${project}/flows/hello.ts`);
    const [deploy, hello] = await Promise.all([
      ironflow(["deploy", "--all"], { cwd: project, env }),
      ironflow(["run", "flows/hello.ts:hello"], { cwd: project, env }),
    ]);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /created\s+hello-hourly/);
    assert.equal(hello.code, 0, hello.stderr);
    assert.match(hello.stdout, /COMPLETED\nResult: "Hello, world!"/);
    // "a failed attempt retried (AwaitingRetry → Retrying), a subflow, the final state"
    const shown = await demo;
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /AwaitingRetry[\s\S]*Retrying/);
    assert.match(shown.stdout, /COMPLETED/);
  } finally {
    await Deno.remove(project, { recursive: true });
    await Deno.remove(demoHome, { recursive: true });
  }
});

/** Every `IRONFLOW_*` name in the `.ts`/`.tsx` files under `paths` (relative to the checkout). */
async function envNames(paths: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  async function visit(path: string): Promise<void> {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(path)) await visit(`${path}/${entry.name}`);
    } else if (/\.tsx?$/.test(path)) {
      for (const m of (await Deno.readTextFile(path)).matchAll(/IRONFLOW_[A-Z0-9_]*[A-Z0-9]/g)) {
        names.add(m[0]);
      }
    }
  }
  for (const path of paths) await visit(`${ROOT}${path}`);
  return names;
}

Deno.test("README: it documents every IRONFLOW_* variable the product uses, and no other", async () => {
  const documented = new Set(readme.match(/IRONFLOW_[A-Z0-9_]*[A-Z0-9]/g));
  const product = await envNames(PRODUCT_DIRS);
  const bench = await envNames(["bench"]);
  const undocumented = [...product].filter((name) => !documented.has(name));
  assert.deepEqual(undocumented, [], "used by the product, missing from README.md");
  const unknown = [...documented].filter((name) => !product.has(name) && !bench.has(name));
  assert.deepEqual(unknown, [], "named in README.md, used nowhere");
  // The configuration table lists the variables users set; the product reads each.
  const table = readme.slice(
    readme.indexOf("## Configuration"),
    readme.indexOf("## How it is built"),
  );
  const rows = [...table.matchAll(/^\| `(IRONFLOW_\w+)`/gm)].map((m) => m[1]!);
  assert.ok(rows.length > 10, "the configuration table was not found");
  for (const name of rows) assert.ok(product.has(name), `${name} is in the table but never read`);
});
