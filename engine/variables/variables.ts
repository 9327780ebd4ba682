/**
 * Variables: named JSON values kept as documents of the `variable`
 * collection, so every store (memory, SQLite, PostgreSQL) holds them through
 * the document port it already has.
 *
 * @module
 */
import {
  type Clock,
  type DocumentReader,
  InvalidArgumentError,
  type Json,
  MAX_PAGE_SIZE,
  type Transactor,
} from "../core/mod.ts";

/** The document collection of variables; key: the name; data: `{ value }`. */
export const VARIABLE_COLLECTION = "variable";

/** Longest name. */
export const MAX_NAME_LENGTH = 255;

/** Largest value, as bytes of its JSON text. */
export const MAX_VARIABLE_BYTES = 64 * 1024;

const NAME_PATTERN = /^[a-z0-9_-]+$/;

/** A variable as callers see it. */
export interface Variable {
  name: string;
  value: Json;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
}

/** A page of variables in name order. */
export interface VariablePage {
  items: Variable[];
  /** The name to pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/**
 * Refuses a name that is not 1 to 255 lowercase letters, digits, `_` or
 * `-` (the rule of variables and secrets alike), with an
 * {@linkcode InvalidArgumentError} of code `invalid_name`.
 */
export function checkName(name: unknown, what = "Variable"): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError(`${what} name must be a non-empty string`, {
      code: "invalid_name",
    });
  }
  if (name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `${what} name "${
        name.slice(0, 80)
      }" is invalid: use 1 to ${MAX_NAME_LENGTH} lowercase letters, digits, "_" or "-"`,
      { code: "invalid_name" },
    );
  }
  return name;
}

/** Refuses a value that is not JSON or is larger than {@linkcode MAX_VARIABLE_BYTES}. */
export function checkVariableValue(name: string, value: unknown): Json {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(`Variable "${name}" value is not JSON: ${error}`, {
      code: "invalid_value",
      cause: error,
    });
  }
  if (text === undefined) {
    throw new InvalidArgumentError(`Variable "${name}" value is not JSON: ${typeof value}`, {
      code: "invalid_value",
    });
  }
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_VARIABLE_BYTES) {
    throw new InvalidArgumentError(
      `Variable "${name}" value is ${bytes} bytes of JSON; the limit is ${MAX_VARIABLE_BYTES}`,
      { code: "value_too_large" },
    );
  }
  return JSON.parse(text) as Json;
}

/** What {@linkcode VariableService} needs of an engine. */
export interface VariableServiceOptions {
  engine: Transactor & { readonly reader: DocumentReader };
  clock: Clock;
}

/** Reads and writes variables in an engine's store. */
export class VariableService {
  #engine: VariableServiceOptions["engine"];
  #clock: Clock;

  constructor(options: VariableServiceOptions) {
    this.#engine = options.engine;
    this.#clock = options.clock;
  }

  /** The variable `name`, or `undefined`. */
  get(name: string): Variable | undefined {
    const doc = this.#engine.reader.getDocument(VARIABLE_COLLECTION, checkName(name));
    if (!doc) return undefined;
    return {
      name,
      value: (doc.data as { value: Json }).value,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
    };
  }

  /** Variables in name order, a page at a time. */
  list(query: { cursor?: string; limit?: number } = {}): VariablePage {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError(`Page size ${limit} is out of range 1 to ${MAX_PAGE_SIZE}`);
    }
    const docs = this.#engine.reader.listDocuments({
      collection: VARIABLE_COLLECTION,
      limit: limit + 1,
      ...(query.cursor !== undefined ? { afterKey: query.cursor } : {}),
    });
    const items = docs.slice(0, limit).map((doc) => ({
      name: doc.key,
      value: (doc.data as { value: Json }).value,
      createdAt: doc.createdAt,
      updatedAt: doc.updatedAt,
    }));
    return { items, nextCursor: docs.length > limit ? items.at(-1)!.name : null };
  }

  /** Creates or replaces `name`; returns the stored variable. */
  set(name: string, value: unknown): Promise<Variable> {
    checkName(name);
    const json = checkVariableValue(name, value);
    return this.#engine.transact((tx) => {
      const now = this.#clock.now();
      const existing = tx.getDocument(VARIABLE_COLLECTION, name);
      const createdAt = existing?.createdAt ?? now;
      tx.putDocument({
        collection: VARIABLE_COLLECTION,
        key: name,
        ref: null,
        data: { value: json },
        createdAt,
        updatedAt: now,
        expiresAt: null,
      });
      return { name, value: json, createdAt, updatedAt: now };
    });
  }

  /** Deletes `name`; whether it existed. */
  unset(name: string): Promise<boolean> {
    checkName(name);
    return this.#engine.transact((tx) => tx.deleteDocument(VARIABLE_COLLECTION, name));
  }
}
