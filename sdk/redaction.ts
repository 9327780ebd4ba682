/**
 * Redaction of fetched secret values: once `getSecret()` returned a value,
 * the control plane replaces it with `********` in log lines, proposals
 * (results, state messages, event data), run parameters and artifacts
 * before they leave the process. Until a secret is fetched nothing is
 * scanned, so the hot path costs one boolean check.
 *
 * @module
 */
import type {
  Artifact,
  LogRecord,
  NewArtifact,
  NewRun,
  Proposal,
  ProposalResult,
  RunRecord,
} from "../engine/mod.ts";

/** The writes of a control plane that carry user data out of the process. */
interface PlaneWrites {
  log(records: readonly LogRecord[]): void;
  propose(runId: string, proposal: Proposal): Promise<ProposalResult>;
  createRun(run: NewRun): Promise<RunRecord>;
  createArtifact(input: NewArtifact): Promise<Artifact>;
}

/** What a redacted value is replaced with. */
export const REDACTED = "********";

/** Values shorter than this are not redacted: they would blot out ordinary text. */
export const MIN_REDACTED_LENGTH = 4;

/** The secret values one control plane has handed out. */
export class SecretRedactor {
  #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Whether any value is redacted. */
  get active(): boolean {
    return this.#pattern !== undefined;
  }

  /** Redacts `value` from now on. */
  add(value: string): void {
    if (value.length < MIN_REDACTED_LENGTH || this.#values.has(value)) return;
    this.#values.add(value);
    // Longest first, so a secret containing another is replaced whole.
    const sorted = [...this.#values].sort((a, b) => b.length - a.length);
    const escaped = sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.#pattern = new RegExp(escaped.join("|"), "g");
  }

  /** `text` with every redacted value replaced. */
  text(text: string): string {
    return this.#pattern ? text.replace(this.#pattern, REDACTED) : text;
  }

  /** `value` with every string (and object key) redacted, at any depth. */
  json<T>(value: T): T {
    if (!this.#pattern) return value;
    const walk = (node: unknown): unknown => {
      if (typeof node === "string") return this.text(node);
      if (Array.isArray(node)) return node.map(walk);
      if (node !== null && typeof node === "object" && !(node instanceof Uint8Array)) {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(node)) out[this.text(key)] = walk(item);
        return out;
      }
      return node;
    };
    return walk(value) as T;
  }
}

/**
 * `plane` with `secrets`, whose writes leaving the process are redacted of
 * every value `secrets` revealed.
 */
export function withSecretRedaction<
  P extends PlaneWrites,
  S extends { readonly redactor: SecretRedactor },
>(
  plane: P,
  secrets: S,
): P & { secrets: S } {
  const redactor = secrets.redactor;
  return {
    ...plane,
    secrets,
    log: (records) => plane.log(redactor.active ? redactor.json(records) : records),
    propose: (runId, proposal) =>
      plane.propose(runId, redactor.active ? redactor.json(proposal) : proposal),
    createRun: (run) => plane.createRun(redactor.active ? redactor.json(run) : run),
    createArtifact: (input) => plane.createArtifact(redactor.active ? redactor.json(input) : input),
  };
}

const redactedConsoles = new WeakSet<SecretRedactor>();

/**
 * Makes `console.log`/`info`/`warn`/`error`/`debug` print redacted text from
 * now on: a worker stores its run process's output as the run's logs, and a
 * terminal is no place for a secret either. Installed once per redactor, on
 * the first revealed value.
 */
export function redactConsole(redactor: SecretRedactor): void {
  if (redactedConsoles.has(redactor)) return;
  redactedConsoles.add(redactor);
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const print = console[method];
    console[method] = (...parts: unknown[]) => print(...parts.map((part) => redactor.json(part)));
  }
}
