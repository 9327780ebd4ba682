/**
 * AES-256-GCM encryption of secret values with Web Crypto. The key comes
 * from `IRONFLOW_SECRET_KEY` (any text of 16 characters or more) through
 * HKDF-SHA-256; the secret's name is authenticated with its value, so a
 * ciphertext moved to another name does not decrypt.
 *
 * @module
 */
import { IronFlowError } from "../core/mod.ts";

/** Shortest accepted `IRONFLOW_SECRET_KEY`. */
export const MIN_SECRET_KEY_LENGTH = 16;

/** A secret as stored: nothing of it reveals the value. */
export interface SealedSecret {
  /** Format version. */
  v: 1;
  /** Base64 of the 12-byte nonce. */
  iv: string;
  /** Base64 of the ciphertext and its tag. */
  ct: string;
  /** A short fingerprint of the key that sealed it, to tell a wrong key from damage. */
  kid: string;
}

/** The secret key is missing, too short, or not the one that sealed a secret. */
export class SecretKeyError extends IronFlowError {
  override name = "SecretKeyError";
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, { ...options, code: options?.code ?? "secret_key_error" });
  }
}

const encoder = new TextEncoder();

/** Encrypts and decrypts secret values under one key. */
export class SecretCipher {
  #key: CryptoKey;
  /** Fingerprint of the key (16 hex digits). */
  readonly keyId: string;

  private constructor(key: CryptoKey, keyId: string) {
    this.#key = key;
    this.keyId = keyId;
  }

  /** A cipher for the key text `secretKey` (e.g. `IRONFLOW_SECRET_KEY`). */
  static async fromKey(secretKey: string): Promise<SecretCipher> {
    if (secretKey.length < MIN_SECRET_KEY_LENGTH) {
      throw new SecretKeyError(
        `IRONFLOW_SECRET_KEY is ${secretKey.length} characters; it needs at least ${MIN_SECRET_KEY_LENGTH} (e.g. openssl rand -base64 32)`,
        { code: "secret_key_too_short" },
      );
    }
    const material = await crypto.subtle.importKey(
      "raw",
      encoder.encode(secretKey),
      "HKDF",
      false,
      [
        "deriveKey",
      ],
    );
    const key = await crypto.subtle.deriveKey(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: encoder.encode("ironflow-secrets"),
        info: encoder.encode("aes-256-gcm v1"),
      },
      material,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
    const check = new Uint8Array(
      await crypto.subtle.digest("SHA-256", encoder.encode(`ironflow key id|${secretKey}`)),
    );
    const keyId = [...check.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return new SecretCipher(key, keyId);
  }

  /** Encrypts `value` for the secret `name`. */
  async seal(name: string, value: string): Promise<SealedSecret> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(name) },
      this.#key,
      encoder.encode(value),
    );
    return { v: 1, iv: toBase64(iv), ct: toBase64(new Uint8Array(ct)), kid: this.keyId };
  }

  /** Decrypts the secret `name`; a clear {@linkcode SecretKeyError} when this key did not seal it. */
  async open(name: string, sealed: SealedSecret): Promise<string> {
    if (sealed.kid !== this.keyId) {
      throw new SecretKeyError(
        `Secret "${name}" was encrypted with another IRONFLOW_SECRET_KEY (key id ${sealed.kid}, this key's id ${this.keyId}): set the key it was stored with; nothing was changed`,
        { code: "secret_key_mismatch" },
      );
    }
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(sealed.iv), additionalData: encoder.encode(name) },
        this.#key,
        fromBase64(sealed.ct),
      );
      return new TextDecoder().decode(plain);
    } catch (error) {
      throw new SecretKeyError(
        `Secret "${name}" could not be decrypted: its stored value is damaged`,
        {
          code: "secret_damaged",
          cause: error,
        },
      );
    }
  }
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
