/**
 * The reader's colour theme: a cookie the theme button sets, read by every
 * page so the server renders the chosen theme (no flash of the other one).
 *
 * @module
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { type Theme, THEMES } from "../../ui/mod.ts";

const COOKIE = "ironflow_theme";
const ONE_YEAR_S = 365 * 24 * 3600;

/** Whether `value` names a theme. */
export function isTheme(value: unknown): value is Theme {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}

/** The theme the reader chose, "system" when none (or an unknown one). */
export function themeOf(c: Context): Theme {
  const value = getCookie(c, COOKIE);
  return isTheme(value) ? value : "system";
}

/** Remembers `theme` for a year; "system" forgets the choice. */
export function rememberTheme(c: Context, theme: Theme): void {
  setCookie(c, COOKIE, theme, {
    path: "/",
    sameSite: "Lax",
    httpOnly: true,
    maxAge: theme === "system" ? 0 : ONE_YEAR_S,
  });
}
