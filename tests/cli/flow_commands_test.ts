import assert from "node:assert/strict";
import { runCli } from "../../cli/mod.ts";
import { createInMemoryControlPlane } from "../../sdk/mod.ts";
import { getFlow } from "../../engine/catalog/mod.ts";
import { testServer } from "../server/_helpers.ts";
import { runIn } from "../engine/catalog/_helpers.ts";
import { runDeno } from "../e2e/_deno.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

// The CLI as its own process, against the server at `target.url`.
async function remoteCli(target: { home: string; url: string }, ...args: string[]) {
  const done = await runDeno(["run", "-A", MAIN, ...args], {
    env: { IRONFLOW_API_URL: target.url, IRONFLOW_HOME: target.home },
  });
  return { code: done.code, out: done.stdout, err: done.stderr };
}

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
    assert.match((await cli(plane, "flow", "sweep")).out, /Purged 0 run/);
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

Deno.test("ironflow flow talks to the server when IRONFLOW_API_URL is set", async () => {
  const server = testServer();
  await runIn(server.engine, "etl", "COMPLETED");
  await runIn(server.engine, "report", "COMPLETED");
  const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, server.app.fetch);
  // The CLI runs in a subprocess: test modules share this process's environment,
  // and setting IRONFLOW_API_URL here would send other modules' CLI calls to this server.
  const home = await Deno.makeTempDir({ prefix: "ironflow_flow_remote_" });
  const plane = { home, url: `http://127.0.0.1:${http.addr.port}` };
  try {
    const renamed = await remoteCli(plane, "flow", "rename", "etl", "etl-v2");
    assert.equal(renamed.code, 0, renamed.err);
    assert.equal((await getFlow(server.engine, server.clock, "etl")).name, "etl-v2");
    const clash = await remoteCli(plane, "flow", "rename", "etl-v2", "report");
    assert.equal(clash.code, 1);
    assert.match(clash.err, /name "report" is taken/);
    assert.equal((await remoteCli(plane, "flow", "archive", "report")).code, 0);
    const listed = JSON.parse((await remoteCli(plane, "flow", "ls", "--json")).out);
    assert.deepEqual(listed.map((f: { name: string }) => f.name), ["etl-v2"]);
    assert.match((await remoteCli(plane, "flow", "retention", "etl", "7")).out, /7 days/);
    assert.match((await remoteCli(plane, "flow", "sweep")).out, /Purged 0 run/);
    assert.deepEqual([...Deno.readDirSync(home)], [], "the local home is untouched");
  } finally {
    await http.shutdown();
    await Deno.remove(home, { recursive: true });
  }
});
