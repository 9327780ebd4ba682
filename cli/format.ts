/**
 * Output helpers for the CLI: aligned tables for humans, JSON for scripts.
 *
 * @module
 */

/** Renders rows as an aligned text table with a header. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) =>
    row.map((cell) => cell === null || cell === undefined ? "-" : String(cell))
  );
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0))
  );
  const line = (row: readonly string[]) =>
    row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** Epoch ms as an ISO time, or "-". */
export function time(epochMs: number | null | undefined): string {
  return epochMs === null || epochMs === undefined ? "-" : new Date(epochMs).toISOString();
}

/** A duration in ms as a short human string. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/**
 * The line a command prints for an error: its message when it is `expected`
 * (input and domain errors, {@linkcode UsageError}), else its stack (a bug).
 */
export function errorLine(error: unknown, expected: boolean): string {
  const text = error instanceof Error
    ? (expected || !error.stack ? error.message : error.stack)
    : String(error);
  return `Error: ${text.replace(/^Error: /, "")}`;
}

/** An error a command reports as a message with exit code 1, without a stack. */
export class UsageError extends Error {
  override name = "UsageError";
}
