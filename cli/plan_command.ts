/**
 * `ironflow plan <module>[:flow]`: the flow's DAG, forecast and diagnostics
 * from its source, without running it.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { planFlow, renderPlanText } from "../engine/planner/mod.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { parseReference } from "./load_flow.ts";
import { toFileUrl } from "./paths.ts";

export const PLAN_HELP = `Usage: ironflow plan <module>[:flow] [--json]

Reads the flow module's TypeScript source (a local path or an http(s) URL)
and prints the task graph it will submit, a forecast (task count, critical
path, width) and diagnostics for the parts that can only be known at run time.`;

/** Runs the command; resolves with the exit code (1 when the plan has errors). */
export async function planCommand(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    cli.out(PLAN_HELP);
    return 0;
  }
  const reference = positionals[0];
  if (!reference) throw new UsageError(`Missing the module to plan.\n\n${PLAN_HELP}`);
  const { module, name } = parseReference(reference);
  const source = await readSource(module, cli.cwd);
  const plan = planFlow(source, { fileName: module, ...(name ? { flowName: name } : {}) });
  cli.out(values.json ? JSON.stringify(plan, null, 2) : renderPlanText(plan));
  return plan.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
}

async function readSource(module: string, cwd: string): Promise<string> {
  try {
    if (/^https?:/.test(module)) {
      const response = await fetch(module);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.text();
    }
    const url = /^file:/.test(module) ? module : toFileUrl(module, cwd);
    return await Deno.readTextFile(new URL(url));
  } catch (cause) {
    throw new UsageError(`Cannot read flow module "${module}": ${(cause as Error).message}`);
  }
}
