/**
 * `ironflow run`: --param typed by the flow, and a syntax error shown at its
 * place with the offending line.
 */
import assert from "node:assert/strict";
import { ironflow, tempHome } from "./_cli.ts";

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
