import type { ComponentChildren } from "preact";

/** Colours of a {@linkcode Pill}. */
export type PillTone = "ok" | "warn" | "off" | "bad";

/** Props of {@linkcode Pill}. */
export interface PillProps {
  tone: PillTone;
  title?: string;
  children: ComponentChildren;
}

/** A small label that is not a run state: Paused, Active, Online, Offline. */
export function Pill({ tone, title, children }: PillProps) {
  return <span class={`badge tone-${tone}`} title={title}>{children}</span>;
}
