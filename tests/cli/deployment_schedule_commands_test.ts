/**
 * `ironflow deployment schedule ls|pause|resume`, from Prefect 3's "Schedules"
 * page (docs.prefect.io/v3/concepts/schedules): schedules written in
 * ironflow.yaml with a slug and parameters, one paused and resumed alone.
 */
import assert from "node:assert/strict";
import { runCli } from "../../cli/mod.ts";
import { createInMemoryControlPlane } from "../../sdk/mod.ts";

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

const MANIFEST = `deployments:
  - name: greetings
    entrypoint: ./flows/hello.ts:hello
    parameters: { name: world }
    schedules:
      - cron: "0 6 * * *"
        slug: morning
        parameters: { name: early birds }
      - cron: "0 18 * * *"
        slug: evening
`;

Deno.test("deployment schedule ls, pause and resume address one schedule of ironflow.yaml by slug", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_cli_schedules_" });
  const plane = createInMemoryControlPlane();
  try {
    assert.equal((await cli(dir, plane, "init")).code, 0);
    await Deno.writeTextFile(`${dir}/ironflow.yaml`, MANIFEST);
    const deployed = await cli(dir, plane, "deploy", "--all");
    assert.equal(deployed.code, 0, deployed.err);

    const inspect = await cli(dir, plane, "deployment", "inspect", "greetings");
    assert.match(inspect.out, /work pool\s+default · queue default/);
    assert.match(inspect.out, /schedules\s+morning: 0 6 \* \* \* UTC; evening: 0 18 \* \* \* UTC/);
    const ls = await cli(dir, plane, "deployment", "schedule", "ls", "greetings");
    assert.match(ls.out, /^morning\s+0 6 \* \* \*\s+UTC\s+yes\s+\{"name":"early birds"\}$/m);
    assert.match(ls.out, /^evening\s+0 18 \* \* \*\s+UTC\s+yes\s+-$/m);

    const paused = await cli(dir, plane, "deployment", "schedule", "pause", "greetings", "morning");
    assert.equal(paused.code, 0, paused.err);
    assert.match(paused.out, /^Schedule morning of deployment greetings paused/);
    const json = JSON.parse(
      (await cli(dir, plane, "deployment", "schedule", "ls", "greetings", "--json")).out,
    );
    assert.deepEqual(json.map((s: { slug: string; active: boolean }) => [s.slug, s.active]), [
      ["morning", false],
      ["evening", true],
    ]);
    const resumed = await cli(
      dir,
      plane,
      "deployment",
      "schedule",
      "resume",
      "greetings",
      "morning",
    );
    assert.match(resumed.out, /^Schedule morning of deployment greetings resumed/);

    const unknown = await cli(dir, plane, "deployment", "schedule", "pause", "greetings", "noon");
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /Deployment "greetings" has no schedule with slug "noon"/);
  } finally {
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
});
