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
  /** Opens the local control plane (the engine on `IRONFLOW_HOME`). */
  openPlane(): LocalControlPlane;
}
