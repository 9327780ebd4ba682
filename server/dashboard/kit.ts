/**
 * What the page modules share: the app's collaborators, sessions, one-time
 * messages and the wrappers that sign-in-check, CSRF-check and error-handle
 * every page and form.
 *
 * @module
 */
import type { Context } from "hono";
import type { VNode } from "preact";
import type { PageContext } from "../../ui/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { Flashes } from "./flashes.ts";

/** Renders a page (or answers otherwise, e.g. a redirect). */
export type PageHandler = (
  c: Context,
  ctx: PageContext,
) => VNode | Response | Promise<VNode | Response>;

/** Handles a form post whose sign-in and CSRF token were checked. */
export type FormHandler = (
  c: Context,
  form: Record<string, unknown>,
  ctx: PageContext,
) => Response | Promise<Response>;

/** Shared by the page modules. */
export interface PageKit {
  deps: AppDeps;
  flashes: Flashes;
  /** A GET page: sign-in required; thrown errors become the error page. */
  page(handler: PageHandler): (c: Context) => Promise<Response>;
  /** A form post: sign-in and CSRF token required; thrown errors become the error page. */
  form(handler: FormHandler): (c: Context) => Promise<Response>;
  /** The 404 page with `message`. */
  notFound(c: Context, ctx: PageContext, message: string): Response;
}
