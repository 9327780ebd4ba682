import assert from "node:assert/strict";
import { runCli } from "../../cli/mod.ts";
import { createInMemoryControlPlane } from "../../sdk/mod.ts";
import { runIn } from "./_helpers.ts";

async function cli(plane: ReturnType<typeof createInMemoryControlPlane>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    cwd: Deno.cwd(),
    isTty: false,
    openPlane: () => plane,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("ironflow flow ls, rename, archive, restore and delete on the embedded store", async () => {
  const plane = createInMemoryControlPlane();
  try {
    await runIn(plane.engine, "etl", "COMPLETED");
    assert.match((await cli(plane, "flow", "ls")).out, /etl\s+1\s+COMPLETED/);
    const renamed = await cli(plane, "flow", "rename", "etl", "etl-v2");
    assert.equal(renamed.code, 0, renamed.err);
    assert.match(renamed.out, /Renamed flow "etl" to "etl-v2"/);
    const inspected = await cli(plane, "flow", "inspect", "etl", "--json");
    assert.equal(JSON.parse(inspected.out).name, "etl-v2");
    assert.equal((await cli(plane, "flow", "archive", "etl-v2")).code, 0);
    assert.doesNotMatch((await cli(plane, "flow", "ls")).out, /etl-v2/);
    assert.match((await cli(plane, "flow", "ls", "--archived")).out, /etl-v2/);
    assert.equal((await cli(plane, "flow", "restore", "etl")).code, 0);
    const kept = await cli(plane, "flow", "retention", "etl-v2", "30");
    assert.match(kept.out, /30 days/);
    assert.match((await cli(plane, "flow", "sweep")).out, /Expired 0 run/);
    assert.equal((await cli(plane, "flow", "delete", "etl-v2")).code, 0);
    const missing = await cli(plane, "flow", "inspect", "etl-v2");
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Flow "etl-v2" does not exist/);
    assert.match((await cli(plane, "flow", "--help")).out, /Usage: ironflow flow/);
    assert.match((await cli(plane, "help")).out, /flow <command>/);
  } finally {
    await plane.close();
  }
});
