/**
 * `ironflow deploy` checks entrypoints and parameters before it writes
 * anything, in a dry run too.
 */
import assert from "node:assert/strict";
import { ironflow, tempHome } from "./_cli.ts";

const MANIFEST = `deployments:
  - name: missing
    entrypoint: ./flows/nope.ts:hello
  - name: not-a-flow
    entrypoint: ./flows/util.ts:greet
  - name: bad-parameter
    entrypoint: ./flows/hello.ts:hello
    parameters:
      nmae: world
`;

Deno.test("deploy refuses a missing module, an export that is no flow and unknown parameters", async () => {
  await using project = await tempHome();
  const home = `${project.path}/.ironflow`;
  assert.equal((await ironflow(home, ["init"], { cwd: project.path })).code, 0);
  await Deno.writeTextFile(`${project.path}/ironflow.yaml`, MANIFEST);
  await Deno.writeTextFile(`${project.path}/flows/util.ts`, "export const greet = 1;\n");
  for (const flags of [["--dry-run"], []]) {
    const out = await ironflow(home, ["deploy", "--all", ...flags], { cwd: project.path });
    assert.equal(out.code, 1, out.stdout);
    const lines = out.stderr.trim().split("\n");
    assert.equal(lines[0], "Error: ironflow.yaml has deployments that would fail on every run:");
    assert.equal(
      lines[1],
      `  deployment "missing": entrypoint "./flows/nope.ts:hello": module ${project.path}/flows/nope.ts does not exist`,
    );
    assert.match(
      lines[2]!,
      /^ {2}deployment "not-a-flow": entrypoint "\.\/flows\/util\.ts:greet": Export "greet" of ".*util\.ts" is not a flow$/,
    );
    assert.match(
      lines[3]!,
      /^ {2}deployment "bad-parameter": parameters: Unknown parameter "nmae" for flow "hello": expected "name"/,
    );
  }
  const ls = await ironflow(home, ["deployment", "ls", "--json"], { cwd: project.path });
  assert.deepEqual(JSON.parse(ls.stdout), [], "nothing was deployed");
});
