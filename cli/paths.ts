/**
 * Path helpers without `@std/path`.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** A file URL for `path`, resolved against `cwd`. */
export function toFileUrl(path: string, cwd: string): string {
  return pathToFileURL(isAbsolute(path) ? path : resolve(cwd, path)).href;
}
