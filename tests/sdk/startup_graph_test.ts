/**
 * What a process that runs flows loads before its first line of user code.
 * A flow script (the SDK) and a worker's run process (`main.ts execute-run`)
 * must not reach zod through static imports: it costs every such process
 * about a sixth of its start-up CPU and 10 MB, and only schema checks need it
 * (they load it on demand). A static import added anywhere on those paths
 * fails here, naming the chain of imports that pulls it in.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

interface ModuleInfo {
  specifier: string;
  dependencies?: Array<{ code?: { specifier?: string }; isDynamic?: boolean }>;
}

async function moduleGraph(entry: string): Promise<Map<string, ModuleInfo>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: ModuleInfo[];
  };
  return new Map(modules.map((m) => [m.specifier, m]));
}

/** The import chain from a root to the first static module matching `wanted`, if any. */
function staticPath(
  graph: Map<string, ModuleInfo>,
  roots: string[],
  wanted: (specifier: string) => boolean,
): string[] | undefined {
  const from = new Map<string, string | null>(roots.map((r) => [r, null]));
  const queue = [...roots];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (wanted(current)) {
      const chain: string[] = [];
      for (let at: string | null = current; at !== null; at = from.get(at) ?? null) {
        chain.unshift(at.replace(ROOT.href, ""));
      }
      return chain;
    }
    for (const dependency of graph.get(current)?.dependencies ?? []) {
      const next = dependency.code?.specifier;
      if (next === undefined || dependency.isDynamic || from.has(next)) continue;
      from.set(next, current);
      queue.push(next);
    }
  }
  return undefined;
}

const isZod = (specifier: string) => /^npm:\/?zod@/.test(specifier);

Deno.test("a flow script and a worker's run process load zod only when a schema is checked", async () => {
  const sdk = await moduleGraph("sdk/mod.ts");
  const sdkRoot = new URL("sdk/mod.ts", ROOT).href;
  assert.ok(sdk.has(sdkRoot));
  const sdkChain = staticPath(sdk, [sdkRoot], isZod);
  assert.equal(sdkChain, undefined, `the SDK imports zod at start: ${sdkChain?.join(" → ")}`);
  // It is still there, behind a dynamic import: the test would pass vacuously otherwise.
  assert.ok([...sdk.keys()].some(isZod), "zod is in the SDK's graph behind a dynamic import");

  // `ironflow execute-run`: main.ts, then the command module it loads, then the SDK.
  const main = await moduleGraph("main.ts");
  const runProcess = [
    new URL("main.ts", ROOT).href,
    new URL("cli/run_process.ts", ROOT).href,
    sdkRoot,
  ];
  for (const root of runProcess) assert.ok(main.has(root), root);
  const chain = staticPath(main, runProcess, isZod);
  assert.equal(chain, undefined, `a run process imports zod at start: ${chain?.join(" → ")}`);
});

Deno.test("a worker's run process loads neither the CLI nor an SDK before it knows which SDK its flow uses", async () => {
  const main = await moduleGraph("main.ts");
  const roots = [new URL("main.ts", ROOT).href, new URL("cli/run_process.ts", ROOT).href];
  for (const root of roots) assert.ok(main.has(root), root);
  const isSdkOrCli = (specifier: string) =>
    specifier === new URL("sdk/mod.ts", ROOT).href ||
    specifier === new URL("cli/mod.ts", ROOT).href ||
    specifier === new URL("engine/mod.ts", ROOT).href;
  const chain = staticPath(main, roots, isSdkOrCli);
  assert.equal(chain, undefined, `a run process loads at start: ${chain?.join(" → ")}`);
});
