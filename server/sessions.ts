/**
 * Dashboard sessions: random ids handed out at sign-in, kept until they
 * expire or the user signs out. With the engine's documents (what a server
 * uses) they live in the database, so every server on one database knows
 * them: a browser behind a load balancer stays signed in whichever server
 * answers, and a sign-out anywhere ends the session everywhere. Without, they
 * live in this process's memory. The cookie never holds the API key, and the
 * store keeps only the SHA-256 of each id, so neither a stolen cookie nor a
 * read of the database gives a lasting credential.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { Clock, DocumentAccess, DocumentReader } from "../engine/mod.ts";

/** The documents collection of dashboard sessions, keyed by the SHA-256 of their id. */
export const SESSION_COLLECTION = "dashboard_session";

/** Shared storage of sessions: the engine's documents (every server on the database sees them). */
export interface SessionDocuments {
  readonly reader: Pick<DocumentReader, "getDocument">;
  transact<T>(fn: (tx: DocumentAccess) => T): Promise<T>;
}

/** Default lifetime of a dashboard session: 12 hours. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Options of {@linkcode SessionStore}. */
export interface SessionStoreOptions {
  /** How long a session lasts after sign-in, in ms. @default 43_200_000 (12 hours) */
  ttlMs?: number;
  /** Most sessions held at once in memory; signing in beyond it ends the oldest. @default 10_000 */
  maxSessions?: number;
  /** Keep sessions in these documents, shared by every server on the database. @default memory */
  documents?: SessionDocuments;
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
 * const id = await sessions.create();
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
  readonly #documents: SessionDocuments | undefined;

  constructor(clock: Clock, options: SessionStoreOptions = {}) {
    const ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    if (!(Number.isSafeInteger(ttlMs) && ttlMs > 0)) {
      throw new RangeError(`Session lifetime "${ttlMs}" must be a positive number of ms`);
    }
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#max = options.maxSessions ?? 10_000;
    this.#documents = options.documents;
  }

  /** How long a new session lasts, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Starts a session (stored before it resolves); its id is 256 random bits, base64url. */
  async create(): Promise<string> {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    const now = this.#clock.now();
    const expiresAt = now + this.#ttlMs;
    if (this.#documents) {
      await this.#documents.transact((tx) => {
        // Sign-ins are rare: each one also clears the sessions that expired.
        sweepExpired(tx, now);
        tx.putDocument({
          collection: SESSION_COLLECTION,
          key: digest(id),
          ref: null,
          data: { expiresAt },
          createdAt: now,
          updatedAt: now,
          expiresAt,
        });
      });
      return id;
    }
    this.#evict();
    this.#expiries.set(digest(id), expiresAt);
    return id;
  }

  /** Whether `id` names a live session. */
  valid(id: string | null | undefined): boolean {
    if (typeof id !== "string" || id === "") return false;
    const key = digest(id);
    if (this.#documents) {
      const doc = this.#documents.reader.getDocument(SESSION_COLLECTION, key);
      const expiry = (doc?.data as { expiresAt?: unknown } | undefined)?.expiresAt;
      return typeof expiry === "number" && this.#clock.now() < expiry;
    }
    const expiry = this.#expiries.get(key);
    if (expiry === undefined) return false;
    if (this.#clock.now() < expiry) return true;
    this.#expiries.delete(key);
    return false;
  }

  /** Ends the session `id` everywhere (nothing happens when it is unknown). */
  async revoke(id: string | null | undefined): Promise<void> {
    if (typeof id !== "string" || id === "") return;
    const key = digest(id);
    this.#expiries.delete(key);
    if (this.#documents && this.#documents.reader.getDocument(SESSION_COLLECTION, key)) {
      await this.#documents.transact((tx) => tx.deleteDocument(SESSION_COLLECTION, key));
    }
  }

  /** How many sessions are held in memory (expired ones until they are swept). */
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

function sweepExpired(tx: DocumentAccess, now: number): void {
  let afterKey: string | undefined;
  while (true) {
    const page = tx.listDocuments({
      collection: SESSION_COLLECTION,
      limit: 1000,
      ...(afterKey !== undefined ? { afterKey } : {}),
    });
    for (const doc of page) {
      const expiry = (doc.data as { expiresAt?: unknown }).expiresAt;
      if (typeof expiry !== "number" || expiry <= now) {
        tx.deleteDocument(SESSION_COLLECTION, doc.key);
      }
    }
    if (page.length < 1000) return;
    afterKey = page.at(-1)!.key;
  }
}

function digest(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}
