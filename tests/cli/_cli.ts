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

/** A long-running `ironflow` subprocess whose stdout is read as it comes. */
export interface CliProcess extends AsyncDisposable {
  readonly child: Deno.ChildProcess;
  /** Resolves with everything printed so far once `pattern` matches it (bounded by `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Sends `signal`, then resolves with the exit code and everything printed. */
  stop(signal?: Deno.Signal): Promise<CliOutput>;
  /** Resolves with the exit code and everything printed once the process exits by itself (bounded by `ms`). */
  exited(ms?: number): Promise<CliOutput>;
}

/** Starts `ironflow <args>` with its own IRONFLOW_HOME (and `env`) and keeps it running. */
export function spawnIronflow(
  home: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): CliProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", "--config", CONFIG, MAIN, ...args],
    env: { NO_COLOR: "1", IRONFLOW_HOME: home, ...options.env },
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).spawn();
  let stdout = "";
  let stderr = "";
  const collect = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const bytes of stream) add(decoder.decode(bytes, { stream: true }));
  };
  const done = Promise.all([
    collect(child.stdout, (text) => stdout += text),
    collect(child.stderr, (text) => stderr += text),
  ]);
  let stopped: Promise<CliOutput> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") =>
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await done;
      return { code: status.code, stdout, stderr };
    })();
  return {
    child,
    async waitFor(pattern, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline) {
          throw new Error(`Gave up waiting for ${pattern}:\n${stdout}\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stdout;
    },
    stop,
    async exited(ms = 60_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Gave up waiting for the exit:\n${stdout}\n${stderr}`)),
          ms,
        );
      });
      try {
        const status = await Promise.race([child.status, timeout]);
        await done;
        return { code: status.code, stdout, stderr };
      } finally {
        clearTimeout(timer);
      }
    },
    async [Symbol.asyncDispose]() {
      await stop("SIGKILL");
    },
  };
}

/** A port free a moment ago, for a server the test starts. */
export function freePort(): number {
  return closedPort();
}
