/**
 * Global concurrency from user code: `await using slot = await
 * concurrency("db")` holds a slot of the named limit(s) until the block ends;
 * `rateLimit("api")` paces calls through a limit whose slots decay.
 *
 * @module
 */
import { currentContext } from "./context.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { TimeoutError } from "./errors.ts";

/** Options of {@linkcode concurrency}. */
export interface ConcurrencyOptions {
  /** Slots to take on each limit. @default 1 */
  occupy?: number;
  /** Throw when a named limit does not exist, instead of passing through. @default false */
  strict?: boolean;
  /** Give up (TimeoutError) after waiting this long. @default wait forever */
  timeoutSeconds?: number;
  /** The slots are reclaimed if not renewed within this time; renewed while held. @default 300 */
  leaseSeconds?: number;
  plane?: ControlPlane;
}

/** Held slots: release them with `release()` or by leaving an `await using` block. */
export interface ConcurrencySlot extends AsyncDisposable {
  /** Names of the limits whose slots are held. */
  readonly names: readonly string[];
  /** Frees the slots; releasing twice is harmless. */
  release(): Promise<void>;
}

/**
 * Waits for a slot of every named limit (all or nothing) and holds them.
 *
 * @example
 * ```ts
 * import { concurrency, task } from "./mod.ts";
 * const query = task(async (sql: string) => {
 *   await using _slot = await concurrency("database");
 *   return sql.length; // at most `limit` bodies are here at once
 * });
 * ```
 */
export async function concurrency(
  names: string | readonly string[],
  options: ConcurrencyOptions = {},
): Promise<ConcurrencySlot> {
  const list = typeof names === "string" ? [names] : [...names];
  if (list.length === 0 || list.some((name) => typeof name !== "string" || name === "")) {
    throw new TypeError("concurrency() needs one or more limit names");
  }
  const context = currentContext();
  const plane = options.plane ?? context?.plane ?? getControlPlane();
  const timer = plane.timer;
  const leaseMs = (options.leaseSeconds ?? 300) * 1000;
  const deadline = options.timeoutSeconds === undefined
    ? Infinity
    : timer.now() + options.timeoutSeconds * 1000;
  const holder = context?.taskRun?.id ?? context?.flowRun.id ?? null;
  while (true) {
    const grant = await plane.acquireSlots({
      names: list,
      occupy: options.occupy ?? 1,
      strict: options.strict ?? false,
      leaseMs,
      holder,
    });
    if (grant.acquired) {
      return holdSlots(plane, grant.leaseId, grant.names, leaseMs, context?.signal);
    }
    const remaining = deadline - timer.now();
    if (remaining <= 0) {
      throw new TimeoutError(
        `Timed out after ${options.timeoutSeconds} s waiting for concurrency slots (${grant.reason})`,
      );
    }
    await timer.sleep(Math.min(grant.retryAfterMs, remaining), context?.signal);
  }
}

function holdSlots(
  plane: ControlPlane,
  leaseId: string | null,
  names: readonly string[],
  leaseMs: number,
  runSignal: AbortSignal | undefined,
): ConcurrencySlot {
  const stop = new AbortController();
  let released = false;
  if (leaseId !== null) {
    // Renew at half the lease so a live holder never loses its slots.
    (async () => {
      while (!stop.signal.aborted) {
        await plane.timer.sleep(leaseMs / 2, stop.signal);
        if (!await plane.renewLease(leaseId, leaseMs)) return;
      }
    })().catch(() => {});
  }
  const release = async () => {
    if (released) return;
    released = true;
    stop.abort();
    runSignal?.removeEventListener("abort", onRunStopped);
    if (leaseId !== null) await plane.releaseLease(leaseId);
  };
  // A cancelled or timed-out run frees its slots even when its body ignores the signal.
  const onRunStopped = () => void release().catch(() => {});
  if (leaseId !== null && runSignal) {
    if (runSignal.aborted) onRunStopped();
    else runSignal.addEventListener("abort", onRunStopped, { once: true });
  }
  return { names, release, [Symbol.asyncDispose]: release };
}

/**
 * Takes `occupy` slots of a rate limit (a limit with `slotDecayPerSecond`)
 * and does not give them back: they decay, which paces callers.
 */
export async function rateLimit(
  names: string | readonly string[],
  options: Omit<ConcurrencyOptions, "leaseSeconds"> = {},
): Promise<void> {
  const slot = await concurrency(names, options);
  // Slots of decaying limits are not leased; releasing frees only leased ones.
  await slot.release();
}
