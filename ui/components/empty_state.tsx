import type { ComponentChildren } from "preact";

/** Props of {@linkcode EmptyState}. */
export interface EmptyStateProps {
  title: string;
  /** A command to copy, shown as a code block. */
  command?: string;
  children?: ComponentChildren;
}

/** What to do next when there is nothing to show. */
export function EmptyState({ title, command, children }: EmptyStateProps) {
  return (
    <div class="empty">
      <h2>{title}</h2>
      {children}
      {command && (
        <div>
          <pre>{command}</pre>
        </div>
      )}
    </div>
  );
}
