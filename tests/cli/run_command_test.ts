/**
 * `ironflow run`: --param typed by the flow, and a syntax error shown at its
 * place with the offending line.
 */
import assert from "node:assert/strict";
import { ironflow, tempHome } from "./_cli.ts";
import { startTestServer } from "../e2e/_server.ts";

const TYPED = new URL("../testdata/cli/typed_flow.ts", import.meta.url).pathname;
const BROKEN = new URL("../testdata/cli/syntax_error.ts.txt", import.meta.url).pathname;

Deno.test("run --param: a number parameter refuses a word and keeps a string as text", async () => {
  await using home = await tempHome();
  const refused = await ironflow(home.path, ["run", TYPED, "--param", "pages=abc"]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr.trim(),
    'Error: --param pages=abc: "pages" must be a number, got "abc"',
  );
  const ran = await ironflow(home.path, [
    "run",
    TYPED,
    "--param",
    "pages=4",
    "--param",
    "label=123",
    "--json",
  ]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(JSON.parse(ran.stdout.trim().split("\n").at(-1)!).result, 11);
});

Deno.test("run of a module with a syntax error prints file:line:col and the line", async () => {
  await using home = await tempHome();
  const module = `${home.path}/broken.ts`;
  await Deno.copyFile(BROKEN, module);
  const out = await ironflow(home.path, ["run", module]);
  assert.equal(out.code, 1);
  assert.equal(
    out.stderr.trim(),
    [
      `Error: Cannot import flow module "${module}": SyntaxError: Expected a semicolon`,
      `  at ${module}:3:11`,
      "    |",
      "  3 |   const x y = 1;",
      "    |           ~",
    ].join("\n"),
  );
});

const CHATTY = new URL("../testdata/cli/logging_flows.ts", import.meta.url).pathname;

Deno.test("run without a terminal prints the outcome only, as scripts parse it", async () => {
  await using home = await tempHome();
  const ok = await ironflow(home.path, ["run", `${CHATTY}:chatty`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^Flow run \S+ \([0-9a-f-]+\) COMPLETED\nResult: 3\n$/);
  assert.ok(!ok.stdout.includes("\u001b"), "no terminal escapes");
  assert.doesNotMatch(ok.stdout, /tasks |step 1 done/);
  const failed = await ironflow(home.path, ["run", `${CHATTY}:chatty`, "--param", "fail=true"]);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /^Flow run \S+ \([0-9a-f-]+\) FAILED\n$/);
  assert.equal(
    failed.stderr,
    `Wrote to home ${home.path}\nError: chatty failed on purpose\n`,
  );
});

Deno.test("run --logs prints the run's log lines as they are written, embedded and on a server", async (t) => {
  await using home = await tempHome();
  const expectLogs = (stdout: string) => {
    const lines = stdout.trim().split("\n");
    const at = "\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z";
    assert.match(lines[0]!, new RegExp(`^${at} WARNING  flow: chatty starts$`));
    assert.match(lines[1]!, new RegExp(`^${at} INFO     step-0: step 1 done$`));
    assert.match(lines[2]!, new RegExp(`^${at} INFO     step-1: step 2 done$`));
    assert.match(lines[3]!, /^Flow run \S+ \([0-9a-f-]+\) COMPLETED$/);
    assert.equal(lines[4], "Result: 3");
  };
  await t.step("embedded home", async () => {
    const out = await ironflow(home.path, ["run", `${CHATTY}:chatty`, "--logs"]);
    assert.equal(out.code, 0, out.stderr);
    expectLogs(out.stdout);
  });
  await t.step("a server, with --json: the log lines go to stderr", async () => {
    await using server = startTestServer();
    const out = await ironflow(home.path, [
      "run",
      `${CHATTY}:chatty`,
      "--logs",
      "--json",
      "--api-url",
      server.url,
    ]);
    assert.equal(out.code, 0, out.stderr);
    const answer = JSON.parse(out.stdout) as { run_id: string; state: string; result: number };
    assert.equal(answer.state, "COMPLETED");
    assert.equal(answer.result, 3);
    assert.match(out.stderr, /WARNING {2}flow: chatty starts\n.*INFO {5}step-0: step 1 done\n/);
    // The same lines reached the server.
    const logs = server.engine.logs({ flowRunId: answer.run_id }).map((log) => log.message);
    assert.deepEqual(logs, ["chatty starts", "step 1 done", "step 2 done"]);
  });
});
