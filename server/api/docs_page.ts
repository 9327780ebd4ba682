/**
 * A plain HTML page that renders the OpenAPI document as tables: no
 * scripts, no CDN.
 *
 * @module
 */

interface Operation {
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escape(text: string): string {
  return text.replaceAll(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STYLE =
  `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d232a}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #dde2e8}
code{font:13px ui-monospace,monospace}.m{font-weight:600;text-transform:uppercase;font-size:12px}
.get{color:#17694a}.post{color:#1f5fbf}.patch{color:#9a6300}.delete{color:#b3261e}small{color:#5c6670}`;

/** Renders the routes of an OpenAPI document as an HTML page. */
export function renderDocsPage(doc: {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? "Other";
      const params = (op.parameters ?? []).map((p) =>
        `<code>${escape(p.name)}</code>${p.required ? "*" : ""} <small>${escape(p.in)}${
          p.description ? ` · ${escape(p.description)}` : ""
        }</small>`
      );
      if (op.requestBody) params.push("<small>JSON body (see openapi.json)</small>");
      const statuses = Object.keys(op.responses ?? {}).filter((s) => s !== "default");
      const row =
        `<tr><td class="m ${method}">${method}</td><td><code>${escape(path)}</code></td>` +
        `<td>${escape(op.summary ?? "")}${
          op.description ? `<br><small>${escape(op.description)}</small>` : ""
        }</td><td>${params.join("<br>")}</td><td>${statuses.join(", ")}</td></tr>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), row]);
    }
  }
  const sections = [...byTag].map(([tag, rows]) =>
    `<h2>${escape(tag)}</h2><table><thead><tr><th>Method</th><th>Path</th><th>What</th>` +
    `<th>Parameters</th><th>Status</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
  );
  return `<!doctype html><html lang="en"><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escape(doc.info.title)} ${escape(doc.info.version)}</title><style>${STYLE}</style>` +
    `<h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1>` +
    `<p>${escape(doc.info.description ?? "")}</p>` +
    `<p>Machine-readable: <a href="/api/openapi.json"><code>/api/openapi.json</code></a></p>` +
    sections.join("") + "</html>";
}
