/**
 * What the server needs, handed in by the composition root (`main.ts`).
 *
 * @module
 */
import type { Clock, Engine } from "../engine/mod.ts";

/** Collaborators of `createApp()`. */
export interface AppDeps {
  engine: Engine;
  clock: Clock;
  /** When set, `/api/*` requires `Authorization: Bearer <apiKey>` and pages require login. */
  apiKey?: string;
  /** Largest accepted request body in bytes. @default 1_048_576 */
  maxBodyBytes?: number;
  /** SSE heartbeat interval in ms. @default 15_000 */
  heartbeatMs?: number;
  /** Aborted when the server shuts down: open SSE streams end so in-flight requests can finish. */
  signal?: AbortSignal;
}
