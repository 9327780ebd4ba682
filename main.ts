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
  // `ironflow run` of a flow whose project has a deno.json of its own runs
  // under it; decided before loading the CLI, which the new process loads.
  if (Deno.args[0] === "run") {
    const { rerunRunEarly } = await import("./cli/project_config.ts");
    const code = await rerunRunEarly(Deno.args);
    if (code !== undefined) Deno.exit(code);
  }
  const { runCli } = await import("./cli/mod.ts");
  Deno.exit(await runCli(Deno.args, { processArgs: Deno.args }));
}
