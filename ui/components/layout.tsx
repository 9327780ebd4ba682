import type { ComponentChildren } from "preact";
import type { PageContext } from "../types.ts";

/** Sections of the top navigation. */
export type NavSection = "runs" | "flows" | "deployments" | "work-pools" | "concurrency";

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
];

/** The page shell: head, top navigation, main column, the client script. */
export function Layout({ title, ctx, active, stream, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${title} · IronFlow`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ctx.assets.css} />
        <script src={ctx.assets.js} defer></script>
      </head>
      <body data-stream={stream}>
        <header class="top">
          <a class="brand" href="/">
            Iron<span>Flow</span>
          </a>
          <nav class="nav">
            {NAV.map(([key, label, href]) => (
              <a key={key} href={href} class={key === active ? "on" : undefined}>{label}</a>
            ))}
          </nav>
          {stream && <span class="live-dot" data-live-dot title="Live updates"></span>}
          {ctx.session.authenticated && (
            <form method="post" action="/logout">
              <input type="hidden" name="_csrf" value={ctx.session.csrf} />
              <button type="submit" class="secondary">Sign out</button>
            </form>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
