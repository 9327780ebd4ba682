/**
 * A tag-limit slot held by a task whose script was SIGKILLed comes back
 * within the liveness timeout (the reaper ends the dead run's task runs),
 * not after the slot's five-minute lease. Real processes, short timeouts.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createSqliteStore } from "../../engine/mod.ts";
import { startServer } from "../../server/mod.ts";
import { runDeno } from "./_deno.ts";

const SDK = new URL("../../sdk/mod.ts", import.meta.url).href;
const LIVENESS = { IRONFLOW_LIVENESS_TIMEOUT_MS: "1500", IRONFLOW_HEARTBEAT_MS: "200" };

function script(name: string, body: string): string {
  return `import { flow, task } from "${SDK}";
const hold = task({ name: "hold", tags: ["db"] }, async () => { ${body} });
export const ${name} = flow({ name: "${name}" }, async () => await hold());
await ${name}();
`;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("a SIGKILLed script's tag-limit slot returns within the liveness timeout, and its runs end CRASHED", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_slot_reclaim_" });
  try {
    const setup = createSqliteStore(`${home}/ironflow.db`);
    setup.putConcurrencyLimit({
      name: "tag:db",
      limit: 1,
      slotDecayPerSecond: 0,
      activeSlots: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    setup.close();
    await Deno.writeTextFile(
      `${home}/holder.ts`,
      script("holder", `console.log("HOLDING"); await new Promise((r) => setTimeout(r, 600_000));`),
    );
    await Deno.writeTextFile(`${home}/taker.ts`, script("taker", `return "took the slot";`));

    const holder = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${home}/holder.ts`],
      env: { NO_COLOR: "1", IRONFLOW_HOME: home, ...LIVENESS },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("HOLDING")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the holder exited before it held the slot");
      seen += value;
    }
    holder.kill("SIGKILL");
    await holder.status;
    const killedAt = Date.now();
    await reader.cancel().catch(() => {});

    // A server on the same home reaps on each services tick.
    const server = await startServer({
      home,
      port: 0,
      livenessMs: 1500,
      servicesIntervalMs: 200,
      handleSignals: false,
      onListen: () => {},
    });
    try {
      const states = () =>
        ["flow", "task"].flatMap((kind) =>
          server.engine.listRuns({ kind: kind as "flow" | "task" }).items
        );
      const crashed = await until("the dead run to be reaped", () => {
        const rows = states();
        return rows.length === 2 && rows.every((r) => r.state === "CRASHED") ? rows : undefined;
      });
      const reclaimMs = Date.now() - killedAt;
      console.log(`slot reclaimed ${reclaimMs} ms after SIGKILL (liveness timeout 1500 ms)`);
      assert.deepEqual(crashed.map((r) => r.kind), ["flow", "task"]);
      assert.ok(reclaimMs < 60_000, `reclaimed after ${reclaimMs} ms, far under the 300 s lease`);

      const taker = await runDeno(["run", "-A", `${home}/taker.ts`], {
        env: { IRONFLOW_HOME: home, ...LIVENESS },
      });
      assert.equal(taker.code, 0, taker.stderr);
      const db = new DatabaseSync(`${home}/ironflow.db`, { readOnly: true });
      const integrity = db.prepare("PRAGMA integrity_check").get() as Record<string, string>;
      assert.equal(Object.values(integrity)[0], "ok");
      db.close();
    } finally {
      await server.shutdown();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
