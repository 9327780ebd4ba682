/**
 * Running a flow module in a `deno` subprocess: what a compiled `ironflow`
 * binary does for flows it did not embed (it cannot import them itself).
 *
 * @module
 */
import { readEnv } from "../sdk/env.ts";
import { CONFIG_VARIABLE, projectConfigOf } from "../sdk/_flow_module.ts";
import { UsageError } from "./format.ts";

/** The answer of a flow run, as the CLI prints it. */
export interface SubprocessOutcome {
  run_id: string;
  state: string;
  state_name: string;
  result: unknown;
  error: string | null;
}

const MARKER = "\u0000IRONFLOW_OUTCOME ";

// Runs in the subprocess: imports the module, picks the flow, binds the
// parameters with the flow's own SDK, runs it and reports on one marked line.
const RUNNER = `
const fail = (message) => { console.log(${
  JSON.stringify(MARKER)
} + JSON.stringify({ usage: message })); Deno.exit(1); };
let mod;
try { mod = await import(Deno.env.get("IRONFLOW_RUN_MODULE")); }
catch (e) { fail("Cannot import flow module " + JSON.stringify(Deno.env.get("IRONFLOW_RUN_SOURCE")) + ": " + String(e?.message ?? e).split("\\n")[0]); }
const isFlow = (v) => typeof v === "function" && typeof v.flowName === "string" && typeof v.runWith === "function";
const wanted = Deno.env.get("IRONFLOW_RUN_EXPORT");
const flows = Object.entries(mod).filter(([, v]) => isFlow(v));
let flow;
if (wanted) {
  if (!(wanted in mod)) fail("Module has no export named " + JSON.stringify(wanted));
  if (!isFlow(mod[wanted])) fail("Export " + JSON.stringify(wanted) + " is not a flow");
  flow = mod[wanted];
} else if (flows.length === 1) flow = flows[0][1];
else fail(flows.length === 0 ? "Module exports no flow" : "Module exports several flows; name one as <module>:<export>");
let args;
try { args = await flow.bindParameters(JSON.parse(Deno.env.get("IRONFLOW_RUN_PARAMS") ?? "null")); }
catch (e) { fail(String(e?.message ?? e)); }
const outcome = await flow.run(...args);
console.log(${JSON.stringify(MARKER)} + JSON.stringify({
  run_id: outcome.runId, state: outcome.state.type, state_name: outcome.state.name,
  result: outcome.result ?? null, error: outcome.error?.message ?? null,
}));
`;

/** Whether this process is a compiled `ironflow` binary rather than `deno`. */
export function isCompiledBinary(): boolean {
  if (readEnv("IRONFLOW_FORCE_SUBPROCESS") === "1") return true;
  const exe = Deno.execPath().split(/[\\/]/).pop() ?? "";
  return !/^deno(\.exe)?$/i.test(exe);
}

/** Runs `moduleUrl`'s flow in `deno` and returns its outcome. */
export async function runInSubprocess(
  source: string,
  moduleUrl: string,
  exportName: string | undefined,
  parameters: unknown,
  /** Added to the subprocess's environment (the server of `--api-url`). */
  env: Record<string, string> = {},
): Promise<SubprocessOutcome> {
  const deno = readEnv("IRONFLOW_DENO") ?? "deno";
  // The module's project configuration, as `deno run <module>` would use it
  // (`deno eval` would look from the working directory instead).
  const config = projectConfigOf(moduleUrl);
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(deno, {
      args: ["eval", ...(config ? ["--config", config] : []), "--ext=ts", RUNNER],
      env: {
        ...env,
        ...(config ? { [CONFIG_VARIABLE]: config } : {}),
        IRONFLOW_RUN_MODULE: moduleUrl,
        IRONFLOW_RUN_SOURCE: source,
        IRONFLOW_RUN_EXPORT: exportName ?? "",
        IRONFLOW_RUN_PARAMS: JSON.stringify(parameters ?? null),
      },
      stdout: "piped",
      stderr: "inherit",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(
        `Deno is needed to run "${source}", which is not embedded in this binary: install Deno (or set IRONFLOW_DENO), or embed the flow with "ironflow build --flows ${source} -o <binary>"`,
      );
    }
    throw error;
  }
  const text = new TextDecoder().decode(output.stdout);
  const line = text.split("\n").find((l) => l.startsWith(MARKER));
  if (!line) {
    throw new UsageError(`The flow subprocess exited with code ${output.code} without an outcome`);
  }
  const answer = JSON.parse(line.slice(MARKER.length)) as SubprocessOutcome & { usage?: string };
  if (answer.usage) throw new UsageError(answer.usage);
  // Whatever the flow printed goes through.
  const printed = text.split("\n").filter((l) => !l.startsWith(MARKER)).join("\n").trim();
  if (printed) console.log(printed);
  return answer;
}
