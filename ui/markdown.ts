/**
 * Markdown for artifacts, rendered safely: raw HTML in the source is escaped
 * (markdown-it with `html: false`), and links with script-capable schemes
 * (`javascript:`, `vbscript:`, `file:`, non-image `data:`) are left as text.
 *
 * @module
 */
// @ts-types="@types/markdown-it"
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

// Links in user text open without handing over the opener or the referrer.
const defaultLinkOpen = md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet("rel", "noopener noreferrer nofollow");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/**
 * Markdown as HTML that is safe to embed.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * renderMarkdown("**hi** <script>x</script>"); // "<p><strong>hi</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
 * ```
 */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
