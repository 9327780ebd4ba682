/**
 * Wake-ups for claim loops: instead of sleeping a poll period after an empty
 * claim, a loop beside the engine claims again as soon as a commit may have
 * made a run claimable (a flow run entering SCHEDULED, or one ending and so
 * freeing a concurrency slot). The poll period stays as the fallback for runs
 * that become due with time.
 *
 * @module
 */
import { type Engine, type EngineEvent, isTerminal } from "../engine/mod.ts";

/** Calls `notify` when a run may have become claimable; returns the unsubscribe function. */
export type ClaimWakeSource = (notify: () => void) => () => void;

/** Whether a committed event may make a run claimable. */
function mayMakeClaimable(event: EngineEvent): boolean {
  return event.runKind === "flow" && (event.to === "SCHEDULED" || isTerminal(event.to));
}

/** The engine's commits that may make a run claimable, as a wake source. */
export function engineClaimWake(engine: Engine): ClaimWakeSource {
  return (notify) =>
    engine.subscribe((event) => {
      if (mayMakeClaimable(event)) notify();
    });
}

/** How often the shared store is read when its commits cannot be watched. */
const SHARED_STORE_POLL_MS = 250;

/**
 * Like {@linkcode engineClaimWake}, and also for the commits of other
 * processes on the same store (a CLI `deployment run` beside a worker), read
 * every 250 ms instead of the claim loop's poll period.
 */
export function sharedStoreClaimWake(engine: Engine): ClaimWakeSource {
  return (notify) => {
    const unsubscribe = engineClaimWake(engine)(notify);
    const stopTailing = engine.tailExternalEvents(SHARED_STORE_POLL_MS);
    return () => {
      stopTailing();
      unsubscribe();
    };
  };
}

/** The idle wait of a claim loop: ends at the poll period, on abort, or on news. */
export class ClaimWait {
  #news = false;
  #resolve: (() => void) | undefined;

  /** A run may have become claimable (or a slot freed): the loop claims again at once. */
  readonly notify = (): void => {
    this.#news = true;
    this.#resolve?.();
  };

  /** Call before a claim: only news from here on cut the next wait short. */
  claiming(): void {
    this.#news = false;
  }

  /** Waits `ms`, less when news came since {@linkcode claiming} or arrive meanwhile. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#news || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.#resolve = done;
    });
  }
}
