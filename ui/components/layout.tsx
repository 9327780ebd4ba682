import type { ComponentChildren } from "preact";
import { type PageContext, type Theme, THEMES } from "../types.ts";

/** Sections of the top navigation. */
export type NavSection =
  | "runs"
  | "flows"
  | "deployments"
  | "work-pools"
  | "concurrency"
  | "artifacts"
  | "events"
  | "automations"
  | "variables"
  | "secrets";

/** Props of {@linkcode Layout}. */
export interface LayoutProps {
  title: string;
  ctx: PageContext;
  active?: NavSection;
  /** SSE URL the client script subscribes to; none for static pages. */
  stream?: string;
  children: ComponentChildren;
}

const NAV: readonly [NavSection, string, string][] = [
  ["runs", "Runs", "/"],
  ["flows", "Flows", "/flows"],
  ["deployments", "Deployments", "/deployments"],
  ["work-pools", "Work pools", "/work-pools"],
  ["concurrency", "Concurrency", "/concurrency-limits"],
  ["artifacts", "Artifacts", "/artifacts"],
  ["events", "Events", "/events"],
  ["automations", "Automations", "/automations"],
  ["variables", "Variables", "/variables"],
  ["secrets", "Secrets", "/secrets"],
];

const THEME_LABELS: Record<Theme, string> = {
  system: "Theme: system",
  light: "Theme: light",
  dark: "Theme: dark",
};

/** The page shell: head, top navigation, main column, the client script. */
export function Layout({ title, ctx, active, stream, children }: LayoutProps) {
  const theme = ctx.theme ?? "system";
  // The server renders the chosen theme, so a forced theme never flashes.
  const next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length]!;
  return (
    <html lang="en" data-theme={theme === "system" ? undefined : theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content={theme === "system" ? "light dark" : theme} />
        <title>{`${title} · IronFlow`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ctx.assets.css} />
        <script src={ctx.assets.js} defer></script>
      </head>
      <body data-stream={stream}>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/">
            Iron<span>Flow</span>
          </a>
          <nav class="nav" aria-label="Main">
            {NAV.map(([key, label, href]) => (
              <a key={key} href={href} class={key === active ? "on" : undefined}>{label}</a>
            ))}
          </nav>
          {stream && <span class="live-dot" data-live-dot title="Live updates"></span>}
          <form method="post" action="/theme" class="theme">
            <input type="hidden" name="_csrf" value={ctx.session.csrf} />
            <input type="hidden" name="theme" value={next} />
            <button type="submit" class="secondary" title={`Switch to the ${next} theme`}>
              {THEME_LABELS[theme]}
            </button>
          </form>
          {ctx.session.authenticated && (
            <form method="post" action="/logout">
              <input type="hidden" name="_csrf" value={ctx.session.csrf} />
              <button type="submit" class="secondary">Sign out</button>
            </form>
          )}
        </header>
        <main id="main" tabIndex={-1}>{children}</main>
      </body>
    </html>
  );
}
