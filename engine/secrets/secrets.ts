/**
 * Secrets: named text values kept encrypted as documents of the `secret`
 * collection. Listing gives names and times only; the value leaves only
 * through {@linkcode SecretService.reveal}.
 *
 * @module
 */
import {
  type Clock,
  type DocumentReader,
  InvalidArgumentError,
  MAX_PAGE_SIZE,
  NotFoundError,
  type Transactor,
} from "../core/mod.ts";
import { checkName } from "../variables/mod.ts";
import { type SealedSecret, type SecretCipher, SecretKeyError } from "./cipher.ts";

/** The document collection of secrets; key: the name; data: a {@linkcode SealedSecret}. */
export const SECRET_COLLECTION = "secret";

/** Largest value, in bytes of UTF-8. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** What a listing shows of a secret: never its value. */
export interface SecretInfo {
  name: string;
  createdAt: number;
  updatedAt: number;
}

/** What {@linkcode SecretService} needs. */
export interface SecretServiceOptions {
  engine: Transactor & { readonly reader: DocumentReader };
  clock: Clock;
  /** The cipher of `IRONFLOW_SECRET_KEY`; unset: secrets can be listed and deleted, not set or read. */
  cipher?: SecretCipher;
}

/** Whether the store holds any secret (a server refuses to start without a key then). */
export function hasSecrets(docs: DocumentReader): boolean {
  return docs.listDocuments({ collection: SECRET_COLLECTION, limit: 1 }).length > 0;
}

/** Reads and writes secrets in an engine's store. */
export class SecretService {
  #options: SecretServiceOptions;

  constructor(options: SecretServiceOptions) {
    this.#options = options;
  }

  #cipher(): SecretCipher {
    if (!this.#options.cipher) {
      throw new SecretKeyError(
        "IRONFLOW_SECRET_KEY is not set: secrets cannot be stored or read without it",
        { code: "secret_key_missing" },
      );
    }
    return this.#options.cipher;
  }

  /** Name and times of `name`, or `undefined`. */
  info(name: string): SecretInfo | undefined {
    const doc = this.#options.engine.reader.getDocument(
      SECRET_COLLECTION,
      checkName(name, "Secret"),
    );
    return doc ? { name, createdAt: doc.createdAt, updatedAt: doc.updatedAt } : undefined;
  }

  /** Secrets in name order, a page at a time, without values. */
  list(
    query: { cursor?: string; limit?: number } = {},
  ): { items: SecretInfo[]; nextCursor: string | null } {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError(`Page size ${limit} is out of range 1 to ${MAX_PAGE_SIZE}`);
    }
    const docs = this.#options.engine.reader.listDocuments({
      collection: SECRET_COLLECTION,
      limit: limit + 1,
      ...(query.cursor !== undefined ? { afterKey: query.cursor } : {}),
    });
    const items = docs.slice(0, limit).map((doc) => ({
      name: doc.key,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
    }));
    return { items, nextCursor: docs.length > limit ? items.at(-1)!.name : null };
  }

  /** The value of `name`; `undefined` when there is none. */
  async reveal(name: string): Promise<string | undefined> {
    const doc = this.#options.engine.reader.getDocument(
      SECRET_COLLECTION,
      checkName(name, "Secret"),
    );
    if (!doc) return undefined;
    return await this.#cipher().open(name, doc.data as unknown as SealedSecret);
  }

  /** Encrypts and stores `value` as `name` (creating or replacing it). */
  async set(name: string, value: string): Promise<SecretInfo> {
    checkName(name, "Secret");
    if (typeof value !== "string" || value.length === 0) {
      throw new InvalidArgumentError(`Secret "${name}" value must be a non-empty string`, {
        code: "invalid_value",
      });
    }
    const bytes = new TextEncoder().encode(value).length;
    if (bytes > MAX_SECRET_BYTES) {
      throw new InvalidArgumentError(
        `Secret "${name}" value is ${bytes} bytes; the limit is ${MAX_SECRET_BYTES}`,
        { code: "value_too_large" },
      );
    }
    const cipher = this.#cipher();
    // One key seals every secret: a second key would leave some unreadable.
    const first =
      this.#options.engine.reader.listDocuments({ collection: SECRET_COLLECTION, limit: 1 })[0];
    if (first) await cipher.open(first.key, first.data as unknown as SealedSecret);
    const sealed = await cipher.seal(name, value);
    return await this.#options.engine.transact((tx) => {
      const now = this.#options.clock.now();
      const createdAt = tx.getDocument(SECRET_COLLECTION, name)?.createdAt ?? now;
      tx.putDocument({
        collection: SECRET_COLLECTION,
        key: name,
        ref: null,
        data: { ...sealed },
        createdAt,
        updatedAt: now,
        expiresAt: null,
      });
      return { name, createdAt, updatedAt: now };
    });
  }

  /** Deletes `name` (no key needed); whether it existed. */
  unset(name: string): Promise<boolean> {
    checkName(name, "Secret");
    return this.#options.engine.transact((tx) => tx.deleteDocument(SECRET_COLLECTION, name));
  }

  /** The value of `name`, or a {@linkcode NotFoundError} (code `secret_not_found`). */
  async require(name: string): Promise<string> {
    const value = await this.reveal(name);
    if (value === undefined) {
      throw new NotFoundError(`Secret "${name}" does not exist`, { code: "secret_not_found" });
    }
    return value;
  }
}
