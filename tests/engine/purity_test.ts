import assert from "node:assert/strict";

const CORE = new URL("../../engine/core/", import.meta.url);

/** What the pure core must never touch: I/O, wall time, randomness, timers. */
const FORBIDDEN = [
  "Deno.",
  'from "node:',
  'from "npm:',
  "Date.now",
  "new Date(",
  "Math.random",
  "setTimeout",
  "setInterval",
  "performance.now",
] as const;

// Static and dynamic import / re-export specifiers.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

async function coreFiles(dir: URL): Promise<URL[]> {
  const files: URL[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) files.push(...await coreFiles(url));
    else if (/\.tsx?$/.test(entry.name)) files.push(url);
  }
  return files.sort((a, b) => a.href.localeCompare(b.href));
}

function name(url: URL): string {
  return url.href.slice(CORE.href.length);
}

Deno.test("engine/core contains no I/O, wall clock, randomness or timers", async (t) => {
  const files = await coreFiles(CORE);
  assert.ok(files.length >= 10, "engine/core/ was found");
  for (const file of files) {
    await t.step(name(file), async () => {
      const source = await Deno.readTextFile(file);
      const found = FORBIDDEN.filter((needle) => source.includes(needle));
      assert.deepEqual(found, [], `${name(file)} uses ${found.join(", ")}`);
    });
  }
});

Deno.test("engine/core imports nothing outside engine/core", async (t) => {
  for (const file of await coreFiles(CORE)) {
    await t.step(name(file), async () => {
      const source = await Deno.readTextFile(file);
      for (const [, specifier] of source.matchAll(SPECIFIER)) {
        assert.ok(
          specifier!.startsWith("./") || specifier!.startsWith("../"),
          `${name(file)} imports "${specifier}", which is not a relative module`,
        );
        const target = new URL(specifier!, file);
        assert.ok(
          target.href.startsWith(CORE.href),
          `${name(file)} imports "${specifier}", which is outside engine/core`,
        );
      }
    });
  }
});

Deno.test("the purity checks catch what they look for", async (t) => {
  const cases: Array<[string, boolean]> = [
    ['import { x } from "./states.ts";', true],
    ['export { y } from "./sub/inner.ts";', true],
    ['import { z } from "../store/mod.ts";', false],
    ['import { z } from "../../sdk/mod.ts";', false],
    ['const m = await import("npm:left-pad");', false],
    ['import "node:fs";', false],
  ];
  const file = new URL("decide.ts", CORE);
  for (const [source, inside] of cases) {
    await t.step(source, () => {
      const specifiers = [...source.matchAll(SPECIFIER)].map((m) => m[1]!);
      assert.equal(specifiers.length, 1);
      const ok = specifiers.every((s) =>
        (s.startsWith("./") || s.startsWith("../")) && new URL(s, file).href.startsWith(CORE.href)
      );
      assert.equal(ok, inside);
    });
  }
  await t.step("forbidden words", () => {
    const source = "const t = Date.now(); setTimeout(f, 1);";
    assert.deepEqual(FORBIDDEN.filter((n) => source.includes(n)), ["Date.now", "setTimeout"]);
  });
});
