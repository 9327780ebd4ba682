/**
 * The pauses of one flow run being executed: an operator's drain (no new task
 * runs start, in-flight ones finish) or terminate, and the gates the flow
 * waits at. What `pause.ts` asks of a live execution.
 *
 * @module
 */
import { StateName, StateType } from "../engine/mod.ts";
import { asError } from "./errors.ts";
import type { RunMirror } from "./run_mirror.ts";

const { RUNNING, PAUSED } = StateType;

/** Drain, terminate and gate bookkeeping of one flow run in this process. */
export class RunPauses {
  readonly #mirror: RunMirror;
  readonly #warn: (message: string) => void;
  /** While drained (operator pause), new task runs wait here before they start. */
  #drained: { promise: Promise<void>; release: () => void } | undefined;
  /** Set when an operator paused with `terminate`: the run ends PAUSED, not CANCELLED. */
  #terminated = false;
  /** Task bodies running now (a drain waits for them). */
  #inFlight = 0;
  /** Gates currently waiting (the flow shows PAUSED while any does). */
  #openGates = 0;

  constructor(mirror: RunMirror, warn: (message: string) => void) {
    this.#mirror = mirror;
    this.#warn = warn;
  }

  /** Resolves when a drain ends; `undefined` when the run is not drained. */
  get drained(): Promise<void> | undefined {
    return this.#drained?.promise;
  }

  /** Whether an operator paused this run with `terminate`. */
  get terminated(): boolean {
    return this.#terminated;
  }

  /** Operator pause `drain`: no new task runs start; in-flight ones finish. */
  drain(): void {
    if (this.#drained) return;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => release = resolve);
    this.#drained = { promise, release };
    this.#settleDrain();
  }

  /** Operator resume of a drained run (or its cancellation): waiting task runs go on. */
  undrain(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.release();
  }

  /** Operator pause `terminate`: the run stays PAUSED once its task runs are cancelled. */
  terminate(): void {
    this.#terminated = true;
    this.undrain();
  }

  /** A task body starts running. */
  taskStarted(): void {
    this.#inFlight += 1;
  }

  /** A task body stopped running: a drain may be complete. */
  taskEnded(): void {
    this.#inFlight -= 1;
    this.#settleDrain();
  }

  /** A gate starts waiting: the flow run shows PAUSED while any gate waits. */
  async enterGate(name: string): Promise<void> {
    this.#openGates += 1;
    if (this.#openGates === 1 && this.#mirror.state === RUNNING) {
      await this.#mirror.transition(PAUSED, {
        kind: "gate_wait",
        name: "AwaitingGate",
        data: { gate: name },
      });
    }
  }

  /** A gate opened: the flow run is RUNNING again once no gate waits. */
  async leaveGate(name: string): Promise<void> {
    this.#openGates -= 1;
    if (this.#openGates === 0 && this.#mirror.state === PAUSED && !this.#terminated) {
      await this.#mirror.transition(RUNNING, { kind: "gate_open", data: { gate: name } });
    }
  }

  // PAUSED "Draining" becomes PAUSED "Paused" once no task body is running.
  #settleDrain(): void {
    const run = this.#mirror.run;
    if (
      !this.#drained || this.#inFlight > 0 || run.state !== PAUSED ||
      run.stateName !== StateName.Draining
    ) return;
    this.#mirror.transition(PAUSED, { kind: "drained", name: StateName.Paused }).catch((error) =>
      this.#warn(`Could not mark the drained run paused: ${asError(error).message}`)
    );
  }
}
