/**
 * The real `ironflow` CLI in a subprocess, for tests of what users type.
 */
import { runDeno } from "../e2e/_deno.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Test flows: squares, release (fails with IRONFLOW_TEST_FAIL=1). */
export const FLOWS = new URL("../testdata/cli/flows.ts", import.meta.url).pathname;

/** What one CLI invocation printed. */
export interface CliOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ironflow <args>` with its own IRONFLOW_HOME (and `env`), in `cwd`. */
export async function ironflow(
  home: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliOutput> {
  // --no-lock: temporary modules must not enter deno.lock.
  return await runDeno(["run", "-A", "--no-lock", "--config", CONFIG, MAIN, ...args], {
    env: { IRONFLOW_HOME: home, ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}

/** A port nothing listens on (it was free a moment ago). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A temporary folder removed when disposed. */
export async function tempHome(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "ironflow_cli_" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}
