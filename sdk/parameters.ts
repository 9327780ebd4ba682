/**
 * Binding named parameters (CLI `--param k=v`, deployment defaults) to a flow
 * function's positional arguments, by reading the parameter list of its
 * source text.
 *
 * @module
 */

/** A function's parameter names; `null` for a destructured object parameter. */
export function parameterNames(fn: (...args: never[]) => unknown): Array<string | null> {
  const source = Function.prototype.toString.call(fn);
  const list = extractParameterList(source);
  if (list === undefined || list.trim() === "") return [];
  return splitTopLevel(list).map((part) => {
    const name = part.trim().replace(/^\.\.\./, "");
    if (name.startsWith("{") || name.startsWith("[")) return null;
    return name.split("=")[0]!.trim() || null;
  });
}

/**
 * The parameters of a call as a deployment run records them: by name
 * (`{ regions: ["eu"], threshold: 0.8 }`), so every run of a flow stores one
 * shape and {@linkcode bindParameters} turns them back into the same
 * arguments. A single destructured parameter records its object as is. When
 * names cannot carry the call (a destructured parameter among others, a rest
 * parameter, more arguments than parameters, a source that cannot be read)
 * the arguments are recorded as a positional array, which binds back as is.
 * Undefined arguments are left out, as JSON would.
 */
export function namedParameters(
  fn: (...args: never[]) => unknown,
  args: readonly unknown[],
): unknown[] | { [name: string]: unknown } {
  const source = Function.prototype.toString.call(fn);
  const list = extractParameterList(source) ?? "";
  const parts = list.trim() === "" ? [] : splitTopLevel(list).map((part) => part.trim());
  if (parts.some((part) => part.startsWith("..."))) return [...args];
  const names = parameterNames(fn);
  if (names.length === 1 && names[0] === null) {
    const [only] = args;
    if (args.length <= 1 && isRecord(only)) return only;
    return [...args];
  }
  if (args.length > names.length || names.includes(null)) return [...args];
  const named: { [name: string]: unknown } = {};
  args.forEach((arg, i) => {
    if (arg !== undefined) named[names[i]!] = arg;
  });
  return named;
}

function isRecord(value: unknown): value is { [name: string]: unknown } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Turns parameters into call arguments: an array is used as is; an object is
 * matched by name to the function's parameters, or passed whole to a single
 * destructured parameter. Unknown names are an error.
 */
export function bindParameters(
  fn: (...args: never[]) => unknown,
  parameters: unknown,
  label = "flow",
): unknown[] {
  if (parameters === undefined || parameters === null) return [];
  if (Array.isArray(parameters)) return parameters;
  if (typeof parameters !== "object") {
    throw new TypeError(
      `Parameters of ${label} must be an object or an array, got ${typeof parameters}`,
    );
  }
  const names = parameterNames(fn);
  const given = parameters as Record<string, unknown>;
  if (names.length === 1 && names[0] === null) return [given];
  const known = new Set(names.filter((name): name is string => name !== null));
  const unknown = Object.keys(given).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new TypeError(
      `Unknown parameter ${unknown.map((k) => `"${k}"`).join(", ")} for ${label}: expected ${
        known.size > 0 ? [...known].map((k) => `"${k}"`).join(", ") : "no parameters"
      }`,
    );
  }
  const args = names.map((name) => (name === null ? undefined : given[name]));
  while (args.length > 0 && args.at(-1) === undefined) args.pop();
  return args;
}

function extractParameterList(source: string): string | undefined {
  const arrow = source.match(/^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/);
  if (arrow) return arrow[1];
  const open = source.indexOf("(");
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return undefined;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  const last = list.slice(start);
  if (last.trim() !== "") parts.push(last);
  return parts;
}
