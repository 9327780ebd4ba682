/**
 * The stylesheet and the client script, served from strings in the module
 * graph (the single binary reads no files). Their URLs carry a content hash,
 * so browsers may cache them for good.
 *
 * @module
 */
import type { Hono } from "hono";
import { APP_CSS, type AssetUrls, LIVE_SCRIPT } from "../../ui/mod.ts";

const ASSETS = {
  "/assets/app.css": { body: APP_CSS, type: "text/css; charset=utf-8" },
  "/assets/live.js": { body: LIVE_SCRIPT, type: "text/javascript; charset=utf-8" },
} as const;

// FNV-1a: a content tag for the URL, not a security measure.
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

const HASHES = {
  css: contentHash(APP_CSS),
  js: contentHash(LIVE_SCRIPT),
};

/** Versioned URLs of the assets. */
export const ASSET_URLS: AssetUrls = {
  css: `/assets/app.css?v=${HASHES.css}`,
  js: `/assets/live.js?v=${HASHES.js}`,
};

/** Registers the asset routes on `app`. */
export function assetRoutes(app: Hono): void {
  for (const [path, asset] of Object.entries(ASSETS)) {
    const etag = `"${contentHash(asset.body)}"`;
    app.get(path, (c) => {
      const versioned = c.req.query("v") !== undefined;
      const headers = {
        "content-type": asset.type,
        etag,
        "x-content-type-options": "nosniff",
        "cache-control": versioned ? "public, max-age=31536000, immutable" : "no-cache",
      };
      if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
      return c.body(asset.body, 200, headers);
    });
  }
}
