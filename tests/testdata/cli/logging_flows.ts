// Flows that write log lines, for `run --logs` and `--watch --logs`.
import { createMarkdownArtifact, flow, getRunLogger, task } from "../../../sdk/mod.ts";

const step = task({ name: "step" }, (n: number) => {
  getRunLogger().info(`step ${n} done`);
  return n;
});

/** Logs from the flow and from each of two task runs; fails when asked to. */
export const chatty = flow({ name: "chatty" }, async (fail: boolean = false) => {
  getRunLogger().warning("chatty starts");
  const total = (await step(1)) + (await step(2));
  if (fail) throw new Error("chatty failed on purpose");
  await createMarkdownArtifact(`total: ${total}`, { key: "chatty-total" });
  return total;
});
