/**
 * Lexical scopes of the flow body and what each name is bound to.
 *
 * @module
 */

/** The SDK exports the planner understands. */
export const SDK_NAMES = [
  "task",
  "flow",
  "wait",
  "unmapped",
  "callOptions",
  "gate",
  "runDeployment",
] as const;

/** One of {@linkcode SDK_NAMES}. */
export type SdkName = typeof SDK_NAMES[number];

/** A set of planned node ids a value depends on. Treated as immutable. */
export type Deps = ReadonlySet<string>;

/** The empty dependency set. */
export const NO_DEPS: Deps = new Set();

/** A plain value and the planned nodes it was computed from. */
export interface ValueBinding {
  kind: "value";
  deps: Deps;
  /** A task or flow escaped into this value (`const tasks = [a, b]`). */
  holdsTasks: boolean;
  /** Known numeric value of a `const` (for loop bounds). */
  constNumber?: number;
  /** Per-element deps of an array of known length. */
  elements?: readonly Deps[];
}

/** What a name means to the planner. */
export type Binding =
  | { kind: "task"; name: string; nameDynamic: boolean; arity?: number }
  | { kind: "flow"; name: string }
  | { kind: "sdk"; name: SdkName }
  | { kind: "sdkNamespace" }
  | { kind: "helper"; name: string; usesTasks: boolean }
  | { kind: "imported"; name: string; source: string }
  | ValueBinding;

/** A value binding with no dependencies. */
export function plainValue(deps: Deps = NO_DEPS): ValueBinding {
  return { kind: "value", deps, holdsTasks: false };
}

/** The union of dependency sets, sharing the input when only one is non-empty. */
export function union(...sets: Deps[]): Deps {
  const nonEmpty = sets.filter((set) => set.size > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? NO_DEPS;
  const out = new Set<string>();
  for (const set of nonEmpty) for (const id of set) out.add(id);
  return out;
}

/** A lexical scope chained to its parent. */
export class Scope {
  readonly #names = new Map<string, Binding>();
  readonly #parent: Scope | undefined;

  /** Creates a scope nested in `parent`. */
  constructor(parent?: Scope) {
    this.#parent = parent;
  }

  /** The binding of `name` in this scope or the nearest enclosing one. */
  lookup(name: string): Binding | undefined {
    return this.#names.get(name) ?? this.#parent?.lookup(name);
  }

  /** True when this very scope declares `name`. */
  declares(name: string): boolean {
    return this.#names.has(name);
  }

  /** Declares `name` in this scope, shadowing outer bindings. */
  declare(name: string, binding: Binding): void {
    this.#names.set(name, binding);
  }

  /** Assigns new deps to the value `name`; `merge` keeps the old deps too. */
  assign(name: string, deps: Deps, merge: boolean): void {
    if (!this.#names.has(name)) return this.#parent?.assign(name, deps, merge);
    const old = this.#names.get(name);
    if (old?.kind !== "value") return;
    const next: ValueBinding = {
      kind: "value",
      deps: merge ? union(old.deps, deps) : deps,
      holdsTasks: old.holdsTasks,
    };
    this.#names.set(name, next);
  }
}
