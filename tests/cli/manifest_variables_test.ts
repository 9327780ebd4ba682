/**
 * `{{ variables.name }}` in ironflow.yaml: resolved when deploying, against
 * the variables of the target (the embedded home, or the server of
 * `--api-url`); an unknown variable names its file, line and column.
 */
import assert from "node:assert/strict";
import { ManifestError, manifestVariableUses, parseManifest } from "../../cli/manifest.ts";
import { runCli } from "../../cli/mod.ts";
import { createInMemoryControlPlane } from "../../sdk/mod.ts";
import { createLocalVariableClient } from "../../sdk/variable_client.ts";
import { startTestServer } from "../e2e/_server.ts";
import { FLOWS } from "./_cli.ts";

const MANIFEST = `# {{ variables.in_a_comment }} is not read
deployments:
  - name: squares
    entrypoint: ${FLOWS}:squares
    description: "Sums squares in {{ variables.region }}"
    parameters:
      n: "{{ variables.batch }}"
      offset: 1
    tags: ["{{ variables.region }}"]
`;

Deno.test("parseManifest() puts variable values in place, keeping a whole placeholder's JSON type", () => {
  const variables = new Map<string, number | string>([["batch", 4], ["region", "eu-west"]]);
  const [spec] = parseManifest(MANIFEST, "ironflow.yaml", "/p", { variables });
  assert.deepEqual(spec!.parameters, { n: 4, offset: 1 });
  assert.equal(spec!.description, "Sums squares in eu-west");
  assert.deepEqual(spec!.tags, ["eu-west"]);
});

Deno.test("parseManifest() leaves the automations of the manifest, whose actions read variables when they run", () => {
  const text = `${MANIFEST}automations:
  - name: notify
    trigger: { type: event, match: [acme.file.landed] }
    actions: [{ type: emit-event, event: acme.seen, resource: "{{ variables.team }}" }]
`;
  const variables = new Map<string, number | string>([["batch", 4], ["region", "eu-west"]]);
  assert.deepEqual(manifestVariableUses(text).map((use) => use.name), [
    "region",
    "batch",
    "region",
  ]);
  const [spec] = parseManifest(text, "ironflow.yaml", "/p", { variables });
  assert.deepEqual(spec!.parameters, { n: 4, offset: 1 });
});

Deno.test("parseManifest() refuses an unknown variable with its file, line and column", () => {
  assert.deepEqual(manifestVariableUses(MANIFEST), [
    { name: "region", line: 5, column: 35 },
    { name: "batch", line: 7, column: 11 },
    { name: "region", line: 9, column: 13 },
  ]);
  assert.throws(
    () =>
      parseManifest(MANIFEST, "ironflow.yaml", "/p", { variables: new Map([["region", "eu"]]) }),
    (error: unknown) => {
      assert.ok(error instanceof ManifestError);
      assert.equal(
        error.message,
        'Invalid ironflow.yaml:\n  ironflow.yaml:7:11: variable "batch" does not exist on the target (used as {{ variables.batch }}); create it with "ironflow variable set batch <value>"',
      );
      return true;
    },
  );
});

async function deploy(
  cwd: string,
  plane: ReturnType<typeof createInMemoryControlPlane>,
  apiUrl?: string,
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...(apiUrl ? ["--api-url", apiUrl] : []), "deploy", "--all"], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    cwd,
    isTty: false,
    openPlane: () => plane,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("ironflow deploy reads variables from the embedded home and from the --api-url server", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_cli_vars_" });
  const plane = createInMemoryControlPlane();
  await using server = startTestServer();
  try {
    await Deno.writeTextFile(`${dir}/ironflow.yaml`, MANIFEST);
    for (
      const [where, variables, apiUrl, batch] of [
        ["embedded home", plane.variables!, undefined, 3],
        ["server", createLocalVariableClient(server.engine), server.url, 5],
      ] as const
    ) {
      await t.step(where, async () => {
        await variables.set("region", "eu-west");
        const refused = await deploy(dir, plane, apiUrl);
        assert.equal(refused.code, 1);
        assert.match(refused.err, /ironflow\.yaml:7:11: variable "batch" does not exist/);

        await variables.set("batch", batch);
        const done = await deploy(dir, plane, apiUrl);
        assert.equal(done.code, 0, done.err);
        assert.match(done.out, /created\s+squares/);
      });
    }
    const local = await plane.deployments!.get("squares");
    assert.deepEqual(local?.parameters, { n: 3, offset: 1 });
    const remote = await (await fetch(`${server.url}/api/deployments/squares`)).json();
    assert.deepEqual(remote.parameters, { n: 5, offset: 1 });
    assert.deepEqual(remote.tags, ["eu-west"]);
  } finally {
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
});
