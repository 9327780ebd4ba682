/**
 * Rejects request bodies larger than a limit with 413, before any handler
 * reads them.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { HttpError } from "./errors.ts";

/** Middleware answering 413 `payload_too_large` for bodies over `maxBytes`. */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new RangeError(`Body limit ${maxBytes} must be a positive integer`);
  }
  return honoBodyLimit({
    maxSize: maxBytes,
    onError() {
      throw new HttpError(413, "payload_too_large", `Request body exceeds ${maxBytes} bytes`, {
        details: { max_bytes: maxBytes },
      });
    },
  });
}
