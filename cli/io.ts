/**
 * What CLI commands need from the outside world, so tests can capture it.
 *
 * @module
 */
import type { LocalControlPlane } from "../sdk/mod.ts";

/** Output streams, working directory and the control plane of one CLI invocation. */
export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** Whether stdout is a terminal (live progress lines). */
  isTty: boolean;
  /** The server to use (`--api-url`, else `IRONFLOW_API_URL`); unset: the embedded home. */
  apiUrl?: string;
  /** The server's API key (`IRONFLOW_API_KEY`). */
  apiKey?: string;
  /** Opens the local control plane (the engine on `IRONFLOW_HOME`). */
  openPlane(): LocalControlPlane;
  /**
   * The arguments of this process when it is the `ironflow` command itself
   * (set by `main.ts`): a command can then run again in another process.
   */
  processArgs?: readonly string[];
}
