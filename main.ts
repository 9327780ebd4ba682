/**
 * IronFlow's entry point, the command line: `deno run -A main.ts <command>`
 * (or the compiled `ironflow` binary).
 *
 * @module
 */
import { runCli } from "./cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, { processArgs: Deno.args }));
}
