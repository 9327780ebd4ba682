import { formatBytes } from "../format.ts";
import { resultHref } from "../links.ts";
import type { ResultView } from "../types.ts";

/** Props of {@linkcode ResultLink}. */
export interface ResultLinkProps {
  result: ResultView;
}

/**
 * A stored result: an inline value's preview, or a large result's size and a
 * download link to the server's copy of its bytes.
 */
export function ResultLink({ result }: ResultLinkProps) {
  if (result.kind === "inline") return <code class="small">{result.preview}</code>;
  const hex = result.ref.replace(/^sha256:/, "");
  const extension = result.encoding === "json" ? "json" : "bin";
  return (
    <span class="result" data-result-ref={result.ref}>
      <a href={resultHref(result.ref)} download={`result-${hex.slice(0, 12)}.${extension}`}>
        Download
      </a>
      <span class="muted small">
        {` ${result.size === null ? "size unknown" : formatBytes(result.size)}`}
        {result.encoding && ` · ${result.encoding}`}
      </span>
    </span>
  );
}
