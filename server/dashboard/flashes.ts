/**
 * One-time messages shown after an action's redirect. The redirect carries
 * only a random id, so no text from the URL is ever shown on a page.
 *
 * @module
 */

/** Most messages kept; the oldest are dropped first. */
const MAX_FLASHES = 1_000;

/** A small store of one-time messages. */
export class Flashes {
  readonly #messages = new Map<string, { ok: boolean; message: string }>();

  /** Stores a message; returns its id for the redirect URL. */
  put(ok: boolean, message: string): string {
    const id = crypto.randomUUID();
    this.#messages.set(id, { ok, message });
    if (this.#messages.size > MAX_FLASHES) {
      this.#messages.delete(this.#messages.keys().next().value!);
    }
    return id;
  }

  /** The message of `id`, once. */
  take(id: string | null): { ok: boolean; message: string } | null {
    if (id === null) return null;
    const flash = this.#messages.get(id) ?? null;
    this.#messages.delete(id);
    return flash;
  }
}
