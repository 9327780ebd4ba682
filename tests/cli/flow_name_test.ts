import assert from "node:assert/strict";
import { runCli } from "../../cli/mod.ts";
import { flowNameOf } from "../../cli/flow_names.ts";
import { createInMemoryControlPlane, executeRun, type Flow } from "../../sdk/mod.ts";

const SDK = new URL("../../sdk/mod.ts", import.meta.url).href;

const FLOW_MODULE = `import { flow } from "${SDK}";
export const nightlyEtl = flow({ name: "etl" }, async (day: string = "today") => day);
export const unnamed = flow(async () => 1);
`;

Deno.test("flowNameOf() reads the flow's own name, or its variable, from the module", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_flow_name_" });
  try {
    await Deno.writeTextFile(`${dir}/flows.ts`, FLOW_MODULE);
    assert.equal(await flowNameOf("./flows.ts:nightlyEtl", dir), "etl");
    assert.equal(await flowNameOf("./flows.ts:unnamed", dir), "unnamed");
    assert.equal(await flowNameOf("./missing.ts:x", dir), undefined);
    assert.equal(await flowNameOf("https://example.com/f.ts:x", dir), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a deployment's runs are recorded under the flow's own name, as direct calls are", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_flow_name_" });
  const plane = createInMemoryControlPlane();
  const io = { out: () => {}, err: () => {}, cwd: dir, isTty: false, openPlane: () => plane };
  try {
    await Deno.mkdir(`${dir}/flows`);
    await Deno.writeTextFile(`${dir}/flows/etl.ts`, FLOW_MODULE);
    await Deno.writeTextFile(
      `${dir}/ironflow.yaml`,
      "deployments:\n  - name: etl-nightly\n    entrypoint: ./flows/etl.ts:nightlyEtl\n",
    );
    assert.equal(await runCli(["deploy", "--all"], io), 0);
    const out: string[] = [];
    const code = await runCli(["deployment", "run", "etl-nightly", "--json"], {
      ...io,
      out: (text) => out.push(text),
    });
    assert.equal(code, 0);
    const created = JSON.parse(out.join("\n"));

    const outcome = await executeRun(created.id, {
      entrypoint: "./flows/etl.ts:nightlyEtl",
      cwd: dir,
      plane,
    });
    const module = await import(new URL(`file://${dir}/flows/etl.ts`).href);
    const direct = await (module.nightlyEtl as Flow<[string], string>).runWith({ plane }, "now");

    assert.equal(outcome.state.type, "COMPLETED");
    assert.equal(plane.engine.getRun(created.id)!.name, "etl");
    assert.equal(plane.engine.getRun(direct.runId)!.name, "etl");
  } finally {
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
});
