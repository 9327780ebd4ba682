/**
 * Compresses HTML pages with gzip when the browser accepts it. Only HTML:
 * API clients and SSE streams are left as they are (a compressed event
 * stream would sit in the compressor's buffer instead of reaching the page).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";

/** Whether an `Accept-Encoding` header accepts gzip (a `q=0` refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    if (name.trim() !== "gzip" && name.trim() !== "*") continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * Middleware: gzips `text/html` responses for clients that accept gzip.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { compressHtml } from "./compress_html.ts";
 * const app = new Hono().use("*", compressHtml()).get("/", (c) => c.html("<p>hi</p>"));
 * const res = await app.request("/", { headers: { "accept-encoding": "gzip" } });
 * console.log(res.headers.get("content-encoding")); // "gzip"
 * ```
 */
export function compressHtml(): MiddlewareHandler {
  return async function compressHtmlPages(c, next) {
    await next();
    const res = c.res;
    const type = res.headers.get("content-type") ?? "";
    if (!type.startsWith("text/html") || res.body === null || c.req.method === "HEAD") return;
    res.headers.append("vary", "Accept-Encoding");
    if (res.headers.has("content-encoding") || !acceptsGzip(c.req.header("accept-encoding"))) {
      return;
    }
    const headers = new Headers(res.headers);
    headers.set("content-encoding", "gzip");
    headers.delete("content-length");
    c.res = new Response(res.body.pipeThrough(new CompressionStream("gzip")), {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  };
}
