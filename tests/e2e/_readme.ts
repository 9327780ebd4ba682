/**
 * Reading README.md as a newcomer reads it: its fenced blocks, the command
 * lines of its `sh` blocks with their `# comments`, and an `ironflow` line's
 * environment and arguments. Shared by readme_test.ts and newcomer_test.ts.
 *
 * @module
 */
import assert from "node:assert/strict";

/** A fenced code block. */
export interface Block {
  lang: string;
  body: string;
}

/** A command line of an `sh` block, without its trailing `# comment`. */
export interface ShLine {
  command: string;
  comment: string;
}

/** Fenced code blocks of a markdown text, in order. */
export function codeBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    body: m[2]!,
  }));
}

/** The command lines of the `sh` blocks, in order. */
export function shLines(markdown: string): ShLine[] {
  return codeBlocks(markdown).filter((b) => b.lang === "sh").flatMap((b) =>
    b.body.split("\n").filter((l) => l.trim() !== "").map((l) => {
      const at = l.search(/\s+# /);
      return at < 0
        ? { command: l.trim(), comment: "" }
        : { command: l.slice(0, at).trim(), comment: l.slice(at).replace(/^\s+# /, "").trim() };
    })
  );
}

/** Splits `A=1 B=2 ironflow x y` into its environment and its `ironflow` arguments. */
export function parseLine(command: string): { env: Record<string, string>; args: string[] } {
  const words = command.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? "")) {
    const [name, ...value] = words.shift()!.split("=");
    env[name!] = value.join("=");
  }
  assert.equal(words.shift(), "ironflow", command);
  return { env, args: words };
}

/** The README's `sh` lines by the prefix that names them; each is taken once at most. */
export class Lines {
  readonly #lines: ShLine[];
  readonly #used = new Set<ShLine>();
  constructor(lines: ShLine[]) {
    this.#lines = lines;
  }
  take(prefix: string): ShLine {
    const found = this.#lines.filter((l) => l.command.startsWith(prefix));
    assert.equal(found.length, 1, `README should have one sh line starting "${prefix}"`);
    this.#used.add(found[0]!);
    return found[0]!;
  }
  get unused(): ShLine[] {
    return this.#lines.filter((l) => !this.#used.has(l));
  }
}
