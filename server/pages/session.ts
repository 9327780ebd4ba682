/**
 * Dashboard sign-in and CSRF protection. With an API key configured, pages
 * need the `ironflow_session` cookie (HttpOnly, SameSite=Strict) holding
 * that key, which the API also accepts on GET so the page script can read
 * SSE. Every state-changing form carries a token: an HMAC of the session
 * with a secret made when the routes are built, so a page from another site
 * cannot submit them.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { SESSION_COOKIE, verifyApiKey } from "../auth.ts";
import type { SessionInfo } from "../../ui/mod.ts";

/** Name of the form field that carries the CSRF token. */
export const CSRF_FIELD = "_csrf";

/** Sign-in state and CSRF tokens for the page routes. */
export class PageSessions {
  readonly #apiKey: string | undefined;
  readonly #secret = crypto.getRandomValues(new Uint8Array(32));

  constructor(apiKey: string | undefined) {
    this.#apiKey = apiKey || undefined;
  }

  /** Whether pages require sign-in. */
  get required(): boolean {
    return this.#apiKey !== undefined;
  }

  /** Whether the request may see pages (always, when no key is configured). */
  signedIn(c: Context): boolean {
    return this.#apiKey === undefined || verifyApiKey(getCookie(c, SESSION_COOKIE), this.#apiKey);
  }

  /** The session facts a page renders with. */
  info(c: Context): SessionInfo {
    return { authenticated: this.required, csrf: this.#token(c) };
  }

  /** Whether the request's form token matches its session. */
  checkCsrf(c: Context, given: unknown): boolean {
    return typeof given === "string" && verifyApiKey(given, this.#token(c));
  }

  /** Checks `key`; on success sets the session cookie. */
  signIn(c: Context, key: unknown): boolean {
    if (this.#apiKey === undefined || typeof key !== "string") return false;
    if (!verifyApiKey(key, this.#apiKey)) return false;
    setCookie(c, SESSION_COOKIE, key, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      secure: new URL(c.req.url).protocol === "https:",
    });
    return true;
  }

  signOut(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
  }

  // Bound to the session when there is one, so a token does not outlive a sign-out.
  #token(c: Context): string {
    const session = this.#apiKey === undefined ? "" : getCookie(c, SESSION_COOKIE) ?? "";
    return createHmac("sha256", this.#secret).update(`csrf:${session}`).digest("base64url");
  }
}

/** `next` if it is a path on this site, else `/` (no open redirects). */
export function localPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) return "/";
  if (next.includes("\\")) return "/";
  return next;
}
