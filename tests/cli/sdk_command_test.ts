/**
 * The SDK by a stable name: `ironflow init` maps "ironflow" in the project's
 * deno.json to a copy of this version's SDK (`ironflow sdk export`), and the
 * starter flow runs through it; `deploy` says where it applied and notices
 * a server the user may have meant.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../e2e/_server.ts";
import { ironflow, tempHome } from "./_cli.ts";

Deno.test('ironflow init maps "ironflow" to an SDK copy, and the starter flow runs through it', async () => {
  await using project = await tempHome();
  const home = `${project.path}/.ironflow`;
  const init = await ironflow(home, ["init"], {
    cwd: project.path,
    env: { IRONFLOW_DEFAULT_API_URL: "http://127.0.0.1:9" },
  });
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /"ironflow" → \.\/vendor\/ironflow\/sdk\/mod\.ts/);
  const config = JSON.parse(await Deno.readTextFile(`${project.path}/deno.json`));
  assert.deepEqual(config.imports, { ironflow: "./vendor/ironflow/sdk/mod.ts" });
  const flow = await Deno.readTextFile(`${project.path}/flows/hello.ts`);
  assert.match(flow, /^import \{ flow, task \} from "ironflow";$/m);
  // As a compiled binary runs it: in `deno`, with the project's own deno.json.
  const ran = await ironflow(home, [
    "run",
    "flows/hello.ts:hello",
    "--param",
    "name=team",
    "--json",
  ], {
    cwd: project.path,
    env: { IRONFLOW_FORCE_SUBPROCESS: "1" },
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(JSON.parse(ran.stdout.trim().split("\n").at(-1)!).result, "Hello, team!");
  assert.equal(ran.stderr.trim(), `Wrote to home ${home}`);
  const again = await ironflow(home, ["init"], { cwd: project.path });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /ironflow\.yaml already exists; pass --force to overwrite it/);
});

Deno.test("sdk export refuses to replace a folder that is not an export", async () => {
  await using dir = await tempHome();
  await Deno.writeTextFile(`${dir.path}/keep.txt`, "mine");
  const out = await ironflow(dir.path, ["sdk", "export", ".", "--force"], { cwd: dir.path });
  assert.equal(out.code, 1);
  assert.equal(
    out.stderr.trim(),
    `Error: ${dir.path} is not an SDK export (it has no .ironflow-sdk-version); not replacing it`,
  );
  assert.equal(await Deno.readTextFile(`${dir.path}/keep.txt`), "mine");
});

Deno.test("deploy on the embedded home says where it applied, and names a server that answers", async () => {
  await using project = await tempHome();
  await using server = startTestServer();
  const home = `${project.path}/.ironflow`;
  const env = { IRONFLOW_DEFAULT_API_URL: server.url };
  const init = await ironflow(home, ["init"], { cwd: project.path, env });
  assert.match(init.stdout, new RegExp(`ironflow deploy --all --api-url ${server.url}`));
  const deploy = await ironflow(home, ["deploy", "--all"], { cwd: project.path, env });
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stdout, new RegExp(`^Applied to home ${home}$`, "m"));
  assert.equal(
    deploy.stderr.trim(),
    `A server answers at ${server.url}, but this used the embedded home ${home}, which that ` +
      `server may not read. To work with the server, pass --api-url ${server.url} or set ` +
      `IRONFLOW_API_URL=${server.url}`,
  );
  const remote = await ironflow(home, ["deploy", "--all", "--api-url", server.url], {
    cwd: project.path,
  });
  assert.equal(remote.code, 0, remote.stderr);
  assert.match(remote.stdout, new RegExp(`^Applied to server ${server.url}$`, "m"));
  assert.equal(remote.stderr.trim(), "");
});
