/**
 * Loading a flow from a module reference `<path or URL>[:exportName]`.
 *
 * @module
 */
import { UsageError } from "./format.ts";
import type { Flow } from "../sdk/mod.ts";
import { lookupFlow } from "../sdk/registry.ts";
import { moduleUrlOf, splitEntrypoint } from "../sdk/_flow_module.ts";
import { configToAdopt } from "./project_config.ts";

/** A flow found in a module. */
export interface LoadedFlow {
  flow: Flow<unknown[], unknown>;
  exportName: string;
  moduleUrl: string;
}

/** Splits `./flows/etl.ts:etl` or `https://host/f.ts:etl` into module and export name. */
export const parseReference = splitEntrypoint;

function isFlow(value: unknown): value is Flow<unknown[], unknown> {
  return typeof value === "function" &&
    typeof (value as { flowName?: unknown }).flowName === "string" &&
    typeof (value as { runWith?: unknown }).runWith === "function";
}

/** Imports the module and picks the flow: by export name, by flow name, or the only one. */
export async function loadFlow(reference: string, cwd = Deno.cwd()): Promise<LoadedFlow> {
  // A bare name is a flow embedded in this binary (`ironflow build`) or already loaded.
  if (/^[A-Za-z_$][\w$-]*$/.test(reference)) {
    const embedded = lookupFlow(reference);
    if (isFlow(embedded)) return { flow: embedded, exportName: reference, moduleUrl: "" };
  }
  const { module, name } = parseReference(reference);
  const moduleUrl = moduleUrlOf(module, cwd);
  let exports: Record<string, unknown>;
  try {
    exports = await import(moduleUrl);
  } catch (cause) {
    throw new UsageError(
      `Cannot import flow module "${module}": ${importProblem(cause)}${configHint(moduleUrl)}`,
      { cause },
    );
  }
  const flows = Object.entries(exports).filter(([, value]) => isFlow(value)) as Array<
    [string, Flow<unknown[], unknown>]
  >;
  if (name !== undefined) {
    if (!(name in exports)) {
      throw new UsageError(
        `Module "${module}" has no export named "${name}"; its flows: ${describe(flows)}`,
      );
    }
    const value = exports[name];
    if (!isFlow(value)) throw new UsageError(`Export "${name}" of "${module}" is not a flow`);
    return { flow: value, exportName: name, moduleUrl };
  }
  if (flows.length === 1) return { flow: flows[0]![1], exportName: flows[0]![0], moduleUrl };
  if (flows.length === 0) throw new UsageError(`Module "${module}" exports no flow`);
  throw new UsageError(
    `Module "${module}" exports several flows; name one as "${module}:<export>": ${
      describe(flows)
    }`,
  );
}

// A module of a project whose deno.json this process was not started with
// cannot use the names that file maps: say so.
function configHint(moduleUrl: string): string {
  const config = configToAdopt([moduleUrl]);
  return config
    ? ` (the module's project configuration ${config} is not the one of this process)`
    : "";
}

function describe(flows: Array<[string, Flow<unknown[], unknown>]>): string {
  return flows.length === 0 ? "none" : flows.map(([name]) => `"${name}"`).join(", ");
}

/**
 * What went wrong importing a module, in one line, and for a syntax error its
 * place as `path:line:col` with the offending line, as Deno shows it.
 */
export function importProblem(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const [first, ...rest] = message.split("\n");
  const at = message.match(/\bat (file:\/\/\S+?):(\d+):(\d+)\s*$/m);
  if (!at || !/SyntaxError|could not be parsed/.test(first!)) return first!;
  const path = decodeURIComponent(new URL(at[1]!).pathname);
  const frame = rest.filter((line) => /^\s*\d*\s*\|/.test(line));
  return [first, `  at ${path}:${at[2]}:${at[3]}`, ...frame.map((line) => `  ${line}`)].join("\n");
}
