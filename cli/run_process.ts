/**
 * `ironflow execute-run`: a flow run's own process, as a worker starts it.
 *
 * It executes the run with the SDK the flow's module imports as "ironflow":
 * the flow project's own copy when its deno.json maps one (as Prefect runs a
 * flow with the prefect installed beside it), else this IronFlow's. Nothing
 * else of IronFlow is loaded first (`main.ts` comes here before the CLI): a
 * process that loaded IronFlow's SDK and then the project's would load the
 * SDK twice, about 80 ms of CPU per run.
 *
 * Usage: `execute-run <run id> --entrypoint <module>:<flow> [--hooks crashed
 * [--from STATE]]`, or `execute-run --warm`: started ahead, it reads
 * `{"runId","entrypoint"}` as one line on stdin (nothing: the worker stopped).
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { StateType } from "../engine/core/states.ts";
import { exitWithParent } from "../sdk/_parent_watch.ts";
import { errorLine, UsageError } from "./format.ts";

/** What a run process needs of an SDK (any copy of IronFlow's has it). */
interface RunSdk {
  executeRun(
    runId: string,
    options: { entrypoint: string; cwd?: string; plane?: unknown },
  ): Promise<{ state: { type: string } }>;
  getControlPlane(): unknown;
}

const USAGE = "Usage: ironflow execute-run <run id> --entrypoint <module>:<flow> [--hooks crashed]";

/**
 * `main.ts execute-run …`: runs the command and resolves with the exit code,
 * printing what went wrong as the CLI does (the message; the stack of what
 * is not an input or domain error).
 */
export async function runProcessMain(args: string[]): Promise<number> {
  try {
    return await executeRunProcess(args);
  } catch (error) {
    // An SDK copy's domain errors are not this one's classes: they carry a code.
    const expected = error instanceof UsageError || error instanceof TypeError ||
      error instanceof RangeError || typeof (error as { code?: unknown }).code === "string";
    console.error(errorLine(error, expected));
    return 1;
  }
}

/** Runs the command; resolves with the exit code (0 when the run COMPLETED). */
export async function executeRunProcess(args: string[], cwd = Deno.cwd()): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      entrypoint: { type: "string" },
      hooks: { type: "string" },
      from: { type: "string" },
      warm: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (!values.warm && (!positionals[0] || !values.entrypoint)) throw new UsageError(USAGE);
  if (values.hooks !== undefined && values.hooks !== "crashed") {
    throw new UsageError(`--hooks must be "crashed", got "${values.hooks}"`);
  }
  if (Deno.env.get("IRONFLOW_WORKER_PID")) exitWithParent();
  if (values.hooks === "crashed") {
    const { runCrashedHooks } = await import("../sdk/execute_run.ts");
    await runCrashedHooks(positionals[0]!, {
      entrypoint: values.entrypoint!,
      cwd,
      ...(values.from ? { from: values.from as StateType } : {}),
    });
    return 0;
  }
  const { sdk, own } = await runSdk();
  if (!values.warm) {
    const outcome = await sdk.executeRun(positionals[0]!, { entrypoint: values.entrypoint!, cwd });
    return outcome.state.type === "COMPLETED" ? 0 : 1;
  }
  // Loaded ahead: IronFlow's planner too (a run's first flow call shares the
  // loading if it comes first), and the control plane (a SQLite home is
  // opened and checked now, not while the run waits).
  if (own) void import("../sdk/graph_contract.ts").then(({ warmUp }) => warmUp());
  const plane = sdk.getControlPlane();
  const line = await firstLine(Deno.stdin.readable);
  if (!line) return 0;
  const { runId, entrypoint } = JSON.parse(line) as { runId: string; entrypoint: string };
  Deno.env.set("IRONFLOW_RUN_ID", runId); // the run's own process: its environment names it
  const outcome = await sdk.executeRun(runId, { entrypoint, cwd, plane });
  return outcome.state.type === "COMPLETED" ? 0 : 1;
}

/**
 * The SDK the flow imports as "ironflow" when that is another copy than this
 * IronFlow's and it can execute a run; else this IronFlow's.
 */
async function runSdk(): Promise<{ sdk: RunSdk; own: boolean }> {
  let named: string | undefined;
  try {
    named = import.meta.resolve("ironflow");
  } catch {
    // the project maps no "ironflow"
  }
  if (named !== undefined && named !== import.meta.resolve("../sdk/mod.ts")) {
    try {
      const sdk = await import(named);
      if (typeof sdk.executeRun === "function" && typeof sdk.getControlPlane === "function") {
        return { sdk: sdk as RunSdk, own: false };
      }
    } catch {
      // The run's import of its flow reports what is wrong with that copy.
    }
  }
  return { sdk: await import("../sdk/mod.ts") as RunSdk, own: true };
}

// The first line of `stream` (up to its end when it has no newline).
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    const end = text.indexOf("\n");
    if (end >= 0) return text.slice(0, end).trim();
  }
  return text.trim();
}
