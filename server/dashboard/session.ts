/**
 * Dashboard sign-in and CSRF protection. With an API key configured, pages
 * need the `ironflow_session` cookie (HttpOnly, SameSite=Strict, Secure over
 * HTTPS) naming a live session of {@linkcode SessionStore}; the API also
 * accepts it on GET and HEAD so the page script can read SSE. Every
 * state-changing form carries a token: an HMAC of the session id with a
 * secret made when the routes are built, so a page from another site cannot
 * submit them, and a token dies with its session.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SESSION_COOKIE, verifyApiKey } from "../auth.ts";
import type { SessionStore } from "../sessions.ts";
import type { SessionInfo } from "../../ui/mod.ts";

/** Name of the form field that carries the CSRF token. */
export const CSRF_FIELD = "_csrf";

/** Sign-in state and CSRF tokens for the page routes. */
export class PageSessions {
  readonly #apiKey: string | undefined;
  readonly #sessions: SessionStore;
  readonly #secret = crypto.getRandomValues(new Uint8Array(32));

  constructor(apiKey: string | undefined, sessions: SessionStore) {
    this.#apiKey = apiKey || undefined;
    this.#sessions = sessions;
  }

  /** Whether pages require sign-in. */
  get required(): boolean {
    return this.#apiKey !== undefined;
  }

  /** Whether the request may see pages (always, when no key is configured). */
  signedIn(c: Context): boolean {
    return this.#apiKey === undefined || this.#sessions.valid(getCookie(c, SESSION_COOKIE));
  }

  /** The session facts a page renders with. */
  info(c: Context): SessionInfo {
    return { authenticated: this.required, csrf: this.#token(c) };
  }

  /** Whether the request's form token matches its session. */
  checkCsrf(c: Context, given: unknown): boolean {
    return typeof given === "string" && verifyApiKey(given, this.#token(c));
  }

  /** Checks `key`; on success starts a session and sets its cookie. */
  async signIn(c: Context, key: unknown): Promise<boolean> {
    if (this.#apiKey === undefined || typeof key !== "string") return false;
    if (!verifyApiKey(key, this.#apiKey)) return false;
    await this.#sessions.revoke(getCookie(c, SESSION_COOKIE));
    setCookie(c, SESSION_COOKIE, await this.#sessions.create(), {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: Math.floor(this.#sessions.ttlMs / 1000),
      secure: overHttps(c),
    });
    return true;
  }

  /** Ends the request's session and clears its cookie. */
  async signOut(c: Context): Promise<void> {
    await this.#sessions.revoke(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: overHttps(c) });
  }

  // Bound to the session when there is one, so a token does not outlive a sign-out.
  #token(c: Context): string {
    const session = this.#apiKey === undefined ? "" : getCookie(c, SESSION_COOKIE) ?? "";
    return createHmac("sha256", this.#secret).update(`csrf:${session}`).digest("base64url");
  }
}

// Behind a TLS-terminating proxy the server sees http; the proxy says https.
function overHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

const SITE = "http://ironflow.invalid";

/**
 * `next` if it is a path on this site, else `/` (no open redirects). The
 * answer is what a browser's URL parser makes of `next` against this site
 * (tabs and newlines dropped, `\` read as `/`), re-serialised, so it cannot
 * resolve to another origin.
 *
 * @example
 * ```ts
 * import { localPath } from "./session.ts";
 * console.log(localPath("/runs?state=FAILED"), localPath("/\t/evil.example/")); // /runs?state=FAILED /
 * ```
 */
export function localPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/")) return "/";
  // Control characters have no place in a path; browsers drop some of them.
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f\\]/.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, SITE);
  } catch {
    return "/";
  }
  if (url.origin !== SITE) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil" parses to the path "//evil", which a browser reads as a host.
  if (!path.startsWith("/") || path.startsWith("//")) return "/";
  return path;
}
