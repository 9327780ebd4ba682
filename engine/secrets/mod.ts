/**
 * Secrets: named text values encrypted at rest with AES-256-GCM under
 * `IRONFLOW_SECRET_KEY`.
 *
 * ```ts
 * import { SecretCipher, SecretService } from "./mod.ts";
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * const cipher = await SecretCipher.fromKey("a key of sixteen or more characters");
 * const secrets = new SecretService({ engine, clock, cipher });
 * await secrets.set("db_password", "hunter22");
 * console.assert(await secrets.reveal("db_password") === "hunter22");
 * ```
 *
 * @module
 */
export {
  MIN_SECRET_KEY_LENGTH,
  type SealedSecret,
  SecretCipher,
  SecretKeyError,
} from "./cipher.ts";
export {
  hasSecrets,
  MAX_SECRET_BYTES,
  SECRET_COLLECTION,
  type SecretInfo,
  SecretService,
  type SecretServiceOptions,
} from "./secrets.ts";
