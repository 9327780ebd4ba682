/**
 * IronFlow's entry point, the command line: `deno run -A main.ts <command>`
 * (or the compiled `ironflow` binary).
 *
 * @module
 */
if (import.meta.main) {
  // A worker's run process loads the SDK its flow uses, and not the CLI first.
  if (Deno.args[0] === "execute-run") {
    const { runProcessMain } = await import("./cli/run_process.ts");
    Deno.exit(await runProcessMain(Deno.args.slice(1)));
  }
  const { runCli } = await import("./cli/mod.ts");
  Deno.exit(await runCli(Deno.args, { processArgs: Deno.args }));
}
