/**
 * Sends a page: renders a Preact tree to HTML with the security headers
 * every page carries.
 *
 * @module
 */
import type { Context } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";

// Scripts, styles and connections from this origin only: even if some text
// escaped escaping, the browser would not run it.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const HEADERS = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/** The HTML response of `page`. */
export function sendPage(
  c: Context,
  page: VNode,
  status: 200 | 400 | 403 | 404 | 409 | 500 | 503 = 200,
) {
  return c.html(`<!doctype html>${renderToString(page)}`, status, HEADERS);
}

/** The HTML of one live region of a page (no document around it). */
export function sendFragment(c: Context, fragment: VNode) {
  return c.html(renderToString(fragment), 200, HEADERS);
}
