/**
 * API key authentication. With a key configured, every `/api/*` request must
 * carry `Authorization: Bearer <key>`; GET and HEAD requests may instead
 * carry the `ironflow_session` cookie of a live dashboard session, so the
 * dashboard's script (EventSource cannot set headers) can read the API and
 * its SSE streams, and result downloads work from a link.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { errorBody } from "./errors.ts";
import type { SessionStore } from "./sessions.ts";

/** Name of the cookie the dashboard sets after login; its value is a random session id. */
export const SESSION_COOKIE = "ironflow_session";

/**
 * Whether `given` equals `expected`, in time independent of where they differ
 * (both are hashed to equal-length digests and compared with `timingSafeEqual`).
 *
 * @example
 * ```ts
 * import { verifyApiKey } from "./auth.ts";
 * console.log(verifyApiKey("s3cret", "s3cret"), verifyApiKey("guess", "s3cret")); // true false
 * ```
 */
export function verifyApiKey(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i);
  return match?.[1];
}

/** Options of {@linkcode apiKeyAuth}. */
export interface ApiKeyAuthOptions {
  /** Dashboard sessions whose cookie opens GET and HEAD requests; unset: the cookie opens nothing. */
  sessions?: SessionStore;
  /** POST paths that authenticate themselves (webhook calls, by their own token). */
  ownTokenPaths?: RegExp;
}

/** Middleware requiring the API key; lets everything through when `apiKey` is unset. */
export function apiKeyAuth(
  apiKey: string | undefined,
  options: ApiKeyAuthOptions = {},
): MiddlewareHandler {
  const { sessions, ownTokenPaths } = options;
  if (!apiKey) {
    return async function noAuth(_c, next) {
      await next();
    };
  }
  return async function requireApiKey(c, next) {
    if (c.req.method === "POST" && ownTokenPaths?.test(c.req.path)) return await next();
    const readOnly = c.req.method === "GET" || c.req.method === "HEAD";
    if (
      verifyApiKey(bearerToken(c.req.header("authorization")), apiKey) ||
      (readOnly && sessions !== undefined && sessions.valid(getCookie(c, SESSION_COOKIE)))
    ) {
      return await next();
    }
    c.header("WWW-Authenticate", 'Bearer realm="ironflow"');
    return c.json(
      errorBody("unauthorized", "Missing or invalid API key: send Authorization: Bearer <key>"),
      401,
    );
  };
}
