/**
 * The version of this build.
 *
 * @module
 */

/** IronFlow's version (kept equal to deno.json's `version`). */
export const VERSION = "0.1.0";
