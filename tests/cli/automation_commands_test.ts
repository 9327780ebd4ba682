import assert from "node:assert/strict";
import { runCli } from "../../cli/mod.ts";
import { createInMemoryControlPlane } from "../../sdk/mod.ts";

async function cli(
  plane: ReturnType<typeof createInMemoryControlPlane>,
  cwd: string,
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

const MANIFEST = `deployments: []
automations:
  - name: echo
    trigger: { type: event, match: [acme.ping] }
    actions:
      - { type: emit-event, event: acme.pong, resource: "{{ event.resource }}" }
  - name: watchdog
    trigger: { type: event, posture: proactive, match: [acme.ping], within_seconds: 3600 }
    actions:
      - { type: emit-event, event: acme.silence, resource: acme.pinger }
`;

Deno.test("ironflow automation apply, ls, pause, resume and delete on the embedded store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_automation_cli_" });
  const plane = createInMemoryControlPlane();
  try {
    await Deno.writeTextFile(`${dir}/ironflow.yaml`, MANIFEST);
    const applied = await cli(plane, dir, "automation", "apply");
    assert.equal(applied.code, 0, applied.err);
    assert.match(applied.out, /Applied automation "echo"\nApplied automation "watchdog"/);
    assert.equal((await cli(plane, dir, "automation", "apply")).code, 0, "apply is repeatable");
    const listed = await cli(plane, dir, "automation", "ls");
    assert.match(listed.out, /echo\s+yes\s+event acme\.ping\s+emit-event\s+never/);
    assert.equal((await cli(plane, dir, "automation", "pause", "echo")).code, 0);
    const json = JSON.parse((await cli(plane, dir, "automation", "ls", "--json")).out);
    assert.deepEqual(json.map((a: { enabled: boolean }) => a.enabled), [false, true]);
    assert.equal((await cli(plane, dir, "automation", "resume", "echo")).code, 0);
    assert.equal((await cli(plane, dir, "automation", "delete", "watchdog")).code, 0);
    const left = JSON.parse((await cli(plane, dir, "automation", "ls", "--json")).out);
    assert.deepEqual(left.map((a: { name: string }) => a.name), ["echo"]);
  } finally {
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ironflow automation create refuses a bad file with the server's message", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_automation_cli_" });
  const plane = createInMemoryControlPlane();
  try {
    await Deno.writeTextFile(
      `${dir}/bad.yaml`,
      "name: x\ntrigger: { type: event, match: [a.b] }\nactions: [{ type: http, url: ftp://x }]\n",
    );
    const bad = await cli(plane, dir, "automation", "create", "--file", "bad.yaml");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /url "ftp:\/\/x" must be an http\(s\) URL/);
    const missing = await cli(plane, dir, "automation", "create");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Missing --file/);
    assert.equal(JSON.parse((await cli(plane, dir, "automation", "ls", "--json")).out).length, 0);
  } finally {
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
});
