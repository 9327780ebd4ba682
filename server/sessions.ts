/**
 * Dashboard sessions: random ids handed out at sign-in, kept in this
 * process's memory until they expire or the user signs out. The cookie never
 * holds the API key, so a stolen cookie dies with its session, and a restart
 * of the server signs everyone out.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { Clock } from "../engine/mod.ts";

/** Default lifetime of a dashboard session: 12 hours. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Options of {@linkcode SessionStore}. */
export interface SessionStoreOptions {
  /** How long a session lasts after sign-in, in ms. @default 43_200_000 (12 hours) */
  ttlMs?: number;
  /** Most sessions held at once; signing in beyond it ends the oldest. @default 10_000 */
  maxSessions?: number;
}

/**
 * Live sessions, by the SHA-256 of their id (a memory dump does not reveal
 * usable cookies), each with its expiry on the given clock.
 *
 * @example
 * ```ts
 * import { SessionStore } from "./sessions.ts";
 * import { FakeClock } from "../engine/mod.ts";
 * const clock = new FakeClock();
 * const sessions = new SessionStore(clock, { ttlMs: 60_000 });
 * const id = sessions.create();
 * clock.tick(60_000);
 * console.log(sessions.valid(id)); // false
 * ```
 */
export class SessionStore {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #max: number;
  // Insertion order is creation order, which `#evict` relies on.
  readonly #expiries = new Map<string, number>();

  constructor(clock: Clock, options: SessionStoreOptions = {}) {
    const ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    if (!(Number.isSafeInteger(ttlMs) && ttlMs > 0)) {
      throw new RangeError(`Session lifetime "${ttlMs}" must be a positive number of ms`);
    }
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#max = options.maxSessions ?? 10_000;
  }

  /** How long a new session lasts, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Starts a session; its id is 256 random bits, base64url. */
  create(): string {
    this.#evict();
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    this.#expiries.set(digest(id), this.#clock.now() + this.#ttlMs);
    return id;
  }

  /** Whether `id` names a live session. */
  valid(id: string | null | undefined): boolean {
    if (typeof id !== "string" || id === "") return false;
    const key = digest(id);
    const expiry = this.#expiries.get(key);
    if (expiry === undefined) return false;
    if (this.#clock.now() < expiry) return true;
    this.#expiries.delete(key);
    return false;
  }

  /** Ends the session `id` (nothing happens when it is unknown). */
  revoke(id: string | null | undefined): void {
    if (typeof id === "string") this.#expiries.delete(digest(id));
  }

  /** How many sessions are held (expired ones until they are swept). */
  get size(): number {
    return this.#expiries.size;
  }

  #evict(): void {
    const now = this.#clock.now();
    for (const [key, expiry] of this.#expiries) {
      if (expiry <= now) this.#expiries.delete(key);
    }
    for (const key of this.#expiries.keys()) {
      if (this.#expiries.size < this.#max) break;
      this.#expiries.delete(key);
    }
  }
}

function digest(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}
