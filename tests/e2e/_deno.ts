/**
 * Runs `deno` subcommands in a subprocess for end-to-end tests.
 */

/** What a finished subprocess printed. */
export interface DenoOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno <args>` to completion with `env` added (and colours off). */
export async function runDeno(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<DenoOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** The JSON object on the last line of a command's output. */
export function lastJsonLine<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}
