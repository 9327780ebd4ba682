import assert from "node:assert/strict";
import { runDeno } from "./_deno.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const KEY = "cli test secret key 0123";

function ironflow(env: Record<string, string>, ...args: string[]) {
  return runDeno(["run", "-A", "--config", CONFIG, MAIN, ...args], { env });
}

Deno.test("ironflow variable set/get/ls/unset and secret set/ls/unset on the embedded home", async () => {
  const home = await Deno.makeTempDir();
  const env = { IRONFLOW_HOME: home };
  try {
    assert.equal((await ironflow(env, "variable", "set", "region", "eu-west-1")).code, 0);
    const json = await ironflow(env, "variable", "set", "batch", '{"size":5}', "--json");
    assert.equal(json.code, 0, json.stderr);
    assert.equal((await ironflow(env, "variable", "get", "batch")).stdout.trim(), '{"size":5}');
    assert.equal((await ironflow(env, "variable", "get", "region")).stdout.trim(), "eu-west-1");
    const ls = await ironflow(env, "variable", "ls", "--json");
    assert.deepEqual(JSON.parse(ls.stdout), [
      { name: "batch", value: { size: 5 } },
      { name: "region", value: "eu-west-1" },
    ]);
    assert.equal((await ironflow(env, "variable", "unset", "region")).code, 0);
    const gone = await ironflow(env, "variable", "get", "region");
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /Variable "region" does not exist/);
    const bad = await ironflow(env, "variable", "set", "Bad", "1");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Variable name "Bad" is invalid/);

    const keyless = await ironflow(env, "secret", "set", "db", "--value", "hunter22");
    assert.equal(keyless.code, 1);
    assert.match(keyless.stderr, /IRONFLOW_SECRET_KEY is not set/);
    const keyed = { ...env, IRONFLOW_SECRET_KEY: KEY };
    const set = await ironflow(keyed, "secret", "set", "db", "--value", "hunter22");
    assert.equal(set.code, 0, set.stderr);
    const ls2 = await ironflow(env, "secret", "ls", "--json");
    assert.deepEqual(JSON.parse(ls2.stdout), ["db"]);
    assert.ok(!ls2.stdout.includes("hunter22"));
    const wrong = await ironflow(
      { ...env, IRONFLOW_SECRET_KEY: "another key 0123456789" },
      "secret",
      "set",
      "db2",
      "--value",
      "x1234",
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /encrypted with another IRONFLOW_SECRET_KEY/);
    assert.equal((await ironflow(env, "secret", "unset", "db")).code, 0);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
