/**
 * The package is ready to publish (JSR): `deno task publish:check` passes
 * offline with the name, version, license and exports of `deno.json`, and
 * leaves out what users do not need (tests, benchmarks, screenshots, CI).
 */
import assert from "node:assert/strict";
import { runDeno } from "./_deno.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("deno publish --dry-run passes and packs the product only", async () => {
  const { code, stdout, stderr } = await runDeno(
    ["publish", "--dry-run", "--allow-dirty", "--allow-slow-types"],
    { cwd: ROOT },
  );
  const out = stdout + stderr;
  assert.equal(code, 0, out);
  assert.match(out, /Dry run complete/);
  for (const file of ["main.ts", "sdk/mod.ts", "engine/mod.ts", "server/mod.ts", "ui/mod.ts"]) {
    assert.ok(out.includes(`${ROOT}${file}`), `${file} is in the package`);
  }
  for (const folder of ["tests/", "bench/", "docs/screenshots/", ".ci/"]) {
    assert.ok(!out.includes(`${ROOT}${folder}`), `${folder} is left out`);
  }
});
