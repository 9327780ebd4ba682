import type { FlashMessage as Flash } from "../types.ts";

/** The outcome of an action just taken (after its redirect), if any. */
export function FlashMessage({ flash }: { flash: Flash | null }) {
  if (flash === null) return null;
  return (
    <div class={`flash${flash.ok ? "" : " bad"}`} role="status">
      {flash.message}
    </div>
  );
}
