/**
 * What the server needs, handed in by the composition root (`main.ts`).
 *
 * @module
 */
import type { SecretCipher } from "../engine/secrets/mod.ts";
import type { ResultFiles } from "../engine/retention/mod.ts";
import type { Clock, Engine } from "../engine/mod.ts";
import type { StorageHealth } from "./storage_health.ts";

/**
 * Content-addressed result bytes the server keeps for remote clients: the
 * SDK's file result store in the `results` folder beside the database (the
 * folder the retention sweep collects), or a memory store in tests.
 */
export interface ResultBlobs {
  /** Stores bytes; resolves with their address (`sha256:<hex>`). */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes at `ref`, or `undefined` when unknown. */
  get(ref: string): Promise<Uint8Array | undefined>;
  /**
   * The stored results as the retention sweep collects them:
   * `POST /api/flows/retention/sweep` deletes those no surviving run
   * references. Absent: that sweep leaves them to the services loop.
   */
  readonly files?: ResultFiles;
}

/** Collaborators of `createApp()`. */
export interface AppDeps {
  engine: Engine;
  clock: Clock;
  /** When set, `/api/*` requires `Authorization: Bearer <apiKey>` and pages require login. */
  apiKey?: string;
  /**
   * Host names the server answers besides `localhost`, `127.0.0.1` and
   * `[::1]` (any port): `name`, `name:port`, `.domain` (and its subdomains)
   * or `*`. Other `Host` headers get 421 (DNS rebinding). @default []
   */
  allowedHosts?: readonly string[];
  /** How long a dashboard session lasts after sign-in, in ms. @default 43_200_000 (12 hours) */
  sessionTtlMs?: number;
  /** Largest accepted request body in bytes. @default 1_048_576 */
  maxBodyBytes?: number;
  /** Where `PUT /api/results/{ref}` stores result bytes; unset: those routes answer 501. */
  results?: ResultBlobs;
  /** Largest result `PUT /api/results/{ref}` accepts, in bytes. @default 67_108_864 (64 MiB) */
  maxResultBytes?: number;
  /** How often the event stream (`/api/events/stream`) reads the log for new events, in ms. @default 250 */
  eventPollMs?: number;
  /** How long custom events are kept, in ms. @default 604_800_000 (7 days) */
  eventRetentionMs?: number;
  /** SSE heartbeat interval in ms. @default 15_000 */
  heartbeatMs?: number;
  /**
   * Tracks storage faults (full disk) for `/health` and the log; share it with
   * the services loop. @default a new one on `clock`
   */
  storageHealth?: StorageHealth;
  /** The cipher of `IRONFLOW_SECRET_KEY`; unset: secrets can be listed and deleted, not set or read. */
  secretCipher?: SecretCipher;
  /** Aborted when the server shuts down: open SSE streams end so in-flight requests can finish. */
  signal?: AbortSignal;
}
