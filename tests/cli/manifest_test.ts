import assert from "node:assert/strict";
import { ManifestError, parseManifest } from "../../cli/manifest.ts";
import { runCli } from "../../cli/mod.ts";
import { createInMemoryControlPlane } from "../../sdk/mod.ts";
import { ironflow } from "./_cli.ts";

const GOOD = `
deployments:
  - name: etl-daily
    entrypoint: ./flows/etl.ts:etl
    parameters: { day: today }
    concurrency_limit: { limit: 1, collision_strategy: CANCEL_NEW }
    schedules:
      - cron: "0 6 * * *"
        timezone: Europe/Paris
      - interval: 3600
        active: false
  - name: report
    entrypoint: https://example.com/flows/report.ts:report
    work_pool: { name: reports }
    working_directory: ./sub
`;

Deno.test("parseManifest() reads deployments and resolves working directories", () => {
  const specs = parseManifest(GOOD, "ironflow.yaml", "/project");
  assert.deepEqual(specs.map((s) => s.name), ["etl-daily", "report"]);
  assert.equal(specs[0]!.working_directory, "/project");
  assert.equal(specs[1]!.working_directory, "/project/sub");
  assert.equal(specs[0]!.schedules!.length, 2);
});

Deno.test("parseManifest() errors say where the problem is", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "YAML syntax",
      "deployments:\n  - name: a\n   entrypoint: [",
      /Cannot parse ironflow\.yaml: line \d+, column \d+/,
    ],
    ["no deployments", "other: 1", /manifest: unknown field "other"|deployments:/],
    [
      "a missing entrypoint",
      "deployments:\n  - name: a\n",
      /deployments\[0\]\.entrypoint: /,
    ],
    [
      "an unknown field",
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n    schedule_cron: x\n",
      /deployments\[0\]: unknown field "schedule_cron"/,
    ],
    [
      "two kinds in one schedule",
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n    schedules:\n      - cron: '@daily'\n        interval: 60\n",
      /deployments\[0\]\.schedules\[0\]: give exactly one of interval, cron or rrule/,
    ],
    [
      "a bad collision strategy",
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n    collision_strategy: DROP\n",
      /deployments\[0\]\.collision_strategy/,
    ],
    [
      "a duplicate name",
      "deployments:\n  - { name: a, entrypoint: ./a.ts:a }\n  - { name: a, entrypoint: ./b.ts:b }\n",
      /deployment name "a" appears twice/,
    ],
  ];
  for (const [name, text, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseManifest(text, "ironflow.yaml", "/p"), (error: Error) => {
        assert.ok(error instanceof ManifestError, String(error));
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

async function cli(
  cwd: string,
  plane: ReturnType<typeof createInMemoryControlPlane>,
  ...args: string[]
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    cwd,
    isTty: false,
    openPlane: () => plane,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("ironflow init, deploy (dry run, all, prune) and deployment commands", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_cli_deploy_" });
  const plane = createInMemoryControlPlane();
  try {
    assert.equal((await cli(dir, plane, "init")).code, 0);
    const manifest = await Deno.readTextFile(`${dir}/ironflow.yaml`);
    assert.match(manifest, /hello-hourly/);
    assert.match(await Deno.readTextFile(`${dir}/flows/hello.ts`), /export const hello = flow/);
    assert.equal((await cli(dir, plane, "init")).code, 1, "refuses to overwrite");

    const dry = await cli(dir, plane, "deploy", "--all", "--dry-run");
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /created\s+hello-hourly/);
    assert.match(dry.out, /Dry run/);
    assert.equal((await cli(dir, plane, "deployment", "ls")).out.includes("hello-hourly"), false);

    const real = await cli(dir, plane, "deploy", "--all");
    assert.match(real.out, /created\s+hello-hourly/);
    const again = await cli(dir, plane, "deploy", "--name", "hello-hourly");
    assert.match(again.out, /unchanged\s+hello-hourly/);
    assert.match((await cli(dir, plane, "deployment", "ls")).out, /hello-hourly\s+hello\s+default/);

    const run = await cli(
      dir,
      plane,
      "deployment",
      "run",
      "hello-hourly",
      "--param",
      "name=cli",
      "--json",
    );
    assert.equal(run.code, 0, run.err);
    const created = JSON.parse(run.out);
    assert.deepEqual(created.parameters, { name: "cli" });
    assert.equal(created.state, "SCHEDULED");
    const inspect = await cli(dir, plane, "deployment", "inspect", "hello-hourly");
    assert.match(inspect.out, /entrypoint\s+\.\/flows\/hello\.ts:hello/);
    assert.match(inspect.out, new RegExp(created.id));
    assert.match((await cli(dir, plane, "deployment", "pause", "hello-hourly")).out, /paused/);

    const refused = await cli(dir, plane, "deployment", "delete", "hello-hourly");
    assert.equal(refused.code, 1);
    assert.match(refused.err, /still live/);
    await plane.engine.propose(created.id, { to: "CANCELLED", token: "c", kind: "user_cancel" });

    await Deno.writeTextFile(
      `${dir}/ironflow.yaml`,
      "deployments:\n  - name: other\n    entrypoint: ./flows/hello.ts:hello\n",
    );
    const pruned = await cli(dir, plane, "deploy", "--all", "--prune");
    assert.match(pruned.out, /created\s+other/);
    assert.match(pruned.out, /pruned\s+hello-hourly/);
    const bad = await cli(dir, plane, "deploy", "--name", "nope");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /has no deployment "nope"/);
    const missing = await cli(dir, plane, "deploy", "--all", "--file", "missing.yaml");
    assert.match(missing.err, /No manifest at "missing\.yaml"/);
  } finally {
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ironflow deploy: a YAML alias bomb is one clear line and exit code 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_cli_alias_" });
  const plane = createInMemoryControlPlane();
  try {
    const rows = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    rows.push("deployments: [{ name: bomb, entrypoint: ./a.ts:f, parameters: { x: *i } }]");
    await Deno.writeTextFile(`${dir}/ironflow.yaml`, rows.join("\n"));
    const answer = await cli(dir, plane, "deploy", "--all");
    assert.equal(answer.code, 1);
    assert.match(
      answer.err,
      /^Error: Cannot parse .*ironflow\.yaml: too many YAML alias expansions/,
    );
    assert.equal(answer.err.trim().split("\n").length, 1, answer.err);
    assert.throws(
      () =>
        parseManifest(`deployments:\n  - { name: "a\\0b", entrypoint: ./a.ts:f }`, "m.yaml", "/"),
      ManifestError,
    );
  } finally {
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
});

// Prefect's prefect.yaml ("Define deployments with YAML", docs.prefect.io/v3/deploy/
// infrastructure-concepts/prefect-yaml) spells fields in snake_case; a misspelt or
// camelCase field here is refused with the field it was probably meant to be.
Deno.test("parseManifest() names the nearest valid field of an unknown one", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "workPool",
      "    workPool: p",
      /deployments\[0\]: unknown field "workPool": did you mean "work_pool"\?/,
    ],
    [
      "time_zone",
      "    schedules:\n      - cron: '@daily'\n        time_zone: UTC",
      /deployments\[0\]\.schedules\[0\]: unknown field "time_zone": did you mean "timezone"\?/,
    ],
    [
      "no near field",
      "    colour: red",
      /unknown field "colour": valid fields are "name", "entrypoint"/,
    ],
  ];
  for (const [label, extra, pattern] of cases) {
    await t.step(label, () => {
      const text = `deployments:\n  - name: a\n    entrypoint: ./f.ts:f\n${extra}\n`;
      assert.throws(() => parseManifest(text, "ironflow.yaml", "/tmp"), (error: unknown) => {
        assert.ok(error instanceof ManifestError);
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
});

Deno.test("parseManifest() reports a broken file once, at the line and column to fix, with that line", async (t) => {
  const cases: Array<[string, string, string]> = [
    [
      "a sequence item indented one space short",
      "deployments:\n  - name: a\n   entrypoint: ./a.ts:a\n",
      "Cannot parse ironflow.yaml: line 3, column 4: Sequence item without - indicator\n" +
      "  3 |    entrypoint: ./a.ts:a\n" +
      "    |    ^",
    ],
    [
      "an unclosed quote: where it opens, not where the file ends",
      'deployments:\n  - name: a\n    entrypoint: "./a.ts:a\n    work_pool: x\n',
      'Cannot parse ironflow.yaml: line 3, column 17: Missing closing "quote\n' +
      '  3 |     entrypoint: "./a.ts:a\n' +
      "    |                 ^",
    ],
    [
      "a tab as indentation",
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n\tschedules: []\n",
      "Cannot parse ironflow.yaml: line 4, column 1: Tabs are not allowed as indentation\n" +
      "  4 | \tschedules: []\n" +
      "    | ^",
    ],
    [
      "a wrong type, at its value",
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n    concurrency_limit: many\n",
      "Invalid ironflow.yaml:\n" +
      '  line 4, column 24: deployments[0].concurrency_limit: expected number or object (got "many")',
    ],
    [
      "an unknown key, at the key, with the nearest valid one, once",
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n    schedules:\n      - crn: '* * * * *'\n",
      "Invalid ironflow.yaml:\n" +
      '  line 5, column 9: deployments[0].schedules[0]: unknown field "crn": did you mean "cron"?',
    ],
    [
      "two problems, each at its place",
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n    tags: {a: 1}\n    paramters: {}\n",
      "Invalid ironflow.yaml:\n" +
      '  line 4, column 11: deployments[0].tags: expected array, received object (got {"a":1})\n' +
      '  line 5, column 5: deployments[0]: unknown field "paramters": did you mean "parameters"?',
    ],
    [
      "a missing field, at the deployment that lacks it",
      "deployments:\n  - name: a\n    work_pool: x\n",
      "Invalid ironflow.yaml:\n  line 2, column 5: deployments[0].entrypoint: missing (required)",
    ],
  ];
  for (const [name, text, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseManifest(text, "ironflow.yaml", "/p"), (error: Error) => {
        assert.ok(error instanceof ManifestError, String(error));
        assert.equal(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("ironflow deploy prints a broken manifest's place once and exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_manifest_" });
  try {
    await Deno.writeTextFile(
      `${dir}/ironflow.yaml`,
      "deployments:\n  - name: a\n    entrypoint: ./a.ts:a\n    workPool: x\n",
    );
    const out = await ironflow(dir, ["deploy", "--all"], { cwd: dir });
    assert.equal(out.code, 1);
    assert.equal(
      out.stderr,
      "Error: Invalid ironflow.yaml:\n" +
        '  line 4, column 5: deployments[0]: unknown field "workPool": did you mean "work_pool"?\n',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
