import { jsonText } from "../format.ts";
import { renderMarkdown } from "../markdown.ts";
import type { ArtifactData, ResultView } from "../types.ts";
import { ResultLink } from "./result_link.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode ArtifactView}. */
export interface ArtifactViewProps {
  artifact: ArtifactData;
}

/**
 * One artifact: markdown (sanitised), a table, a link, a progress bar, or a
 * result (a large one as its size and a download link).
 */
export function ArtifactView({ artifact }: ArtifactViewProps) {
  return (
    <article class="artifact" data-artifact={artifact.id}>
      <div class="row spread">
        <h3>
          {artifact.key ?? artifact.type}
          <span class="muted small">{` ${artifact.type}`}</span>
        </h3>
        <span class="muted small">
          <TimeLabel ms={artifact.createdAt} />
        </span>
      </div>
      {artifact.description && <p class="muted">{artifact.description}</p>}
      <ArtifactBody type={artifact.type} data={artifact.data} />
    </article>
  );
}

function ArtifactBody({ type, data }: { type: string; data: unknown }) {
  switch (type) {
    case "markdown":
      return (
        <div
          class="markdown"
          // deno-lint-ignore react-no-danger -- markdown-it output with raw HTML disabled
          dangerouslySetInnerHTML={{ __html: renderMarkdown(String(data ?? "")) }}
        />
      );
    case "table":
      return <ArtifactTable rows={Array.isArray(data) ? data : []} />;
    case "link": {
      const { url, text } = (data ?? {}) as { url?: unknown; text?: unknown };
      const label = typeof text === "string" && text !== "" ? text : String(url ?? "");
      return typeof url === "string" && /^https?:\/\//i.test(url)
        ? <a href={url} rel="noopener noreferrer nofollow">{label}</a>
        : <span>{label}</span>;
    }
    case "image": {
      const { url, alt } = (data ?? {}) as { url?: unknown; alt?: unknown };
      const text = typeof alt === "string" && alt !== "" ? alt : "image artifact";
      if (typeof url === "string" && url.startsWith("data:image/")) {
        return <img src={url} alt={text} class="artifact-image" />;
      }
      // The dashboard loads no image from elsewhere (img-src 'self' data:): a link opens it.
      return typeof url === "string" && /^https?:\/\//i.test(url)
        ? <a href={url} rel="noopener noreferrer nofollow">{`${text} (${url})`}</a>
        : <span>{text}</span>;
    }
    case "progress": {
      const value = typeof data === "number" ? Math.min(100, Math.max(0, data)) : 0;
      return (
        <div class="row">
          <progress value={value} max={100}>{`${value}%`}</progress>
          <span class="mono">{`${Math.round(value)}%`}</span>
        </div>
      );
    }
    case "result": {
      const stored = storedResultOf(data);
      return stored ? <ResultLink result={stored} /> : <pre>{jsonText(data, 2)}</pre>;
    }
    default:
      return <pre>{jsonText(data, 2)}</pre>;
  }
}

// A result artifact records a large result as `{ ref, size }`, an inline one as its value.
function storedResultOf(data: unknown): ResultView | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const { ref, size, ...rest } = data as { ref?: unknown; size?: unknown };
  if (Object.keys(rest).length > 0) return undefined;
  if (typeof ref !== "string" || !/^sha256:[0-9a-f]{64}$/.test(ref)) return undefined;
  return { kind: "ref", ref, size: typeof size === "number" ? size : null, encoding: null };
}

const MAX_ROWS = 500;

function ArtifactTable({ rows }: { rows: readonly unknown[] }) {
  const shown = rows.slice(0, MAX_ROWS);
  const objects = shown.every((row) =>
    row !== null && typeof row === "object" && !Array.isArray(row)
  );
  const columns = objects
    ? [...new Set(shown.flatMap((row) => Object.keys(row as object)))]
    : Array.from(
      { length: Math.max(0, ...shown.map((row) => (Array.isArray(row) ? row.length : 1))) },
      (_, i) => String(i),
    );
  const cell = (row: unknown, column: string): string => {
    const value = objects
      ? (row as Record<string, unknown>)[column]
      : Array.isArray(row)
      ? row[Number(column)]
      : column === "0"
      ? row
      : undefined;
    if (value === undefined || value === null) return "";
    return typeof value === "object" ? jsonText(value) : String(value);
  };
  return (
    <div class="scroll">
      <table class="tight">
        {objects && (
          <thead>
            <tr>{columns.map((column) => <th key={column}>{column}</th>)}</tr>
          </thead>
        )}
        <tbody>
          {shown.map((row, i) => (
            <tr key={i}>{columns.map((column) => <td key={column}>{cell(row, column)}</td>)}</tr>
          ))}
        </tbody>
      </table>
      {rows.length > MAX_ROWS && (
        <p class="muted small">{`Showing ${MAX_ROWS} of ${rows.length} rows.`}</p>
      )}
    </div>
  );
}
