/**
 * A flow for the kill tests: task `prepare`, then task `hold`, which appends
 * `start <pid>` to `<dir>/events`, writes its process id to `<dir>/pid` and
 * waits (at most 30 s) for `<dir>/go` before appending `end <pid>`. Its
 * `onCrashed` hook writes `<dir>/crashed.json`, so a test can kill the
 * process mid-task and see what ran.
 *
 * @module
 */
import { flow, type HookContext, task } from "../../../sdk/mod.ts";

const prepare = task({ name: "prepare" }, async (x: number) => await Promise.resolve(x + 1));

const hold = task({ name: "hold" }, async (dir: string, x: number) => {
  await Deno.writeTextFile(`${dir}/events`, `start ${Deno.pid}\n`, { append: true });
  await Deno.writeTextFile(`${dir}/pid`, String(Deno.pid));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await Deno.stat(`${dir}/go`);
      await Deno.writeTextFile(`${dir}/events`, `end ${Deno.pid}\n`, { append: true });
      return x;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error("gave up waiting for the go file");
});

async function recordCrash(context: HookContext): Promise<void> {
  const dir = (context.run.parameters as { dir: string }).dir;
  await Deno.writeTextFile(
    `${dir}/crashed.json`,
    JSON.stringify({ runId: context.flowRunId, to: context.to, from: context.from }),
  );
}

/** Holds in task `hold` until `<dir>/go` exists (bounded), then returns `x + 1`. */
export const holding = flow(
  { name: "holding", onCrashed: recordCrash },
  async (dir: string, x: number) => await hold(dir, await prepare(x)),
);
