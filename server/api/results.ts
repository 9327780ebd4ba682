/**
 * Content-addressed result bytes for remote clients: a flow run executed by a
 * worker on another machine uploads its large results here, so the server
 * keeps them beside its database (where the retention sweep collects them)
 * and a retry on any worker can restore them.
 *
 * @module
 */
import { z } from "zod";
import type { AppDeps, ResultBlobs } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { validate } from "../validation.ts";
import type { ApiRouter } from "./router.ts";

/** Default largest uploaded result: 64 MiB. */
export const DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024;

const RefParams = z.strictObject({
  ref: z.string().regex(/^sha256:[0-9a-f]{64}$/, {
    error: "must be sha256: followed by 64 lowercase hex digits",
  }),
});

const StoredResultSchema = z.object({
  ref: z.string(),
  size: z.number().int(),
}).meta({ id: "StoredResultBytes" });

/** Registers `PUT /results/:ref` and `GET /results/:ref`. */
export function resultRoutes(router: ApiRouter, deps: AppDeps): void {
  const maxBytes = deps.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new RangeError(`Result size limit ${maxBytes} must be a positive integer`);
  }
  const params = { ref: "Content address of the bytes: `sha256:<64 hex digits>`" };

  router.add({
    method: "put",
    path: "/results/:ref",
    tag: "Remote SDK",
    summary: "Store a large result's bytes under their content address",
    description: "The body is the raw bytes; their SHA-256 must match `ref` (400 " +
      `\`result_hash_mismatch\` otherwise). Idempotent. At most ${maxBytes} bytes (413 ` +
      "`result_too_large`).",
    params,
    rawBody: "application/octet-stream",
    response: StoredResultSchema,
  }, async (c, input) => {
    const { ref } = validate(RefParams, input.params, "path");
    const store = storeOf(deps);
    const declared = Number(c.req.header("content-length"));
    if (Number.isFinite(declared) && declared > maxBytes) tooLarge(ref, maxBytes);
    const bytes = await readAtMost(c.req.raw.body, maxBytes, ref);
    const actual = `sha256:${await sha256Hex(bytes)}`;
    if (actual !== ref) {
      throw new HttpError(
        400,
        "result_hash_mismatch",
        `Result "${ref}" does not match its bytes, whose address is "${actual}"`,
        { details: { expected: ref, actual, size: bytes.byteLength } },
      );
    }
    const stored = await store.put(bytes);
    if (stored !== ref) {
      throw new Error(`Result store answered "${stored}" for "${ref}"`);
    }
    return c.json({ ref, size: bytes.byteLength });
  });

  router.add({
    method: "get",
    path: "/results/:ref",
    tag: "Remote SDK",
    summary: "The bytes of a stored result",
    params,
    rawResponse: "application/octet-stream",
  }, async (c, input) => {
    const { ref } = validate(RefParams, input.params, "path");
    const bytes = await storeOf(deps).get(ref);
    if (!bytes) throw new HttpError(404, "result_not_found", `Result "${ref}" is not stored`);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/octet-stream",
      "content-length": String(bytes.byteLength),
      // Content-addressed: the bytes at a ref never change.
      "cache-control": "private, max-age=31536000, immutable",
      etag: `"${ref.slice("sha256:".length)}"`,
    });
  });
}

function storeOf(deps: AppDeps): ResultBlobs {
  if (deps.results) return deps.results;
  throw new HttpError(
    501,
    "results_not_configured",
    "This server stores no result files: it was started without a result store",
  );
}

function tooLarge(ref: string, maxBytes: number): never {
  throw new HttpError(
    413,
    "result_too_large",
    `Result "${ref}" exceeds the server's limit of ${maxBytes} bytes`,
    { details: { max_bytes: maxBytes } },
  );
}

// Reads the body, refusing it as soon as it grows past the limit (a body
// without Content-Length is not read to its end first).
async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  ref: string,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      tooLarge(ref, maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
