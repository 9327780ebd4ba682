/**
 * The deployment manifest `ironflow.yaml`: a `deployments:` list whose
 * entries have the API's deployment shape. Parsed with `yaml`; every problem
 * is reported with where it is (`deployments[1].schedules[0].cron`) and, for
 * YAML syntax, the line and column. String values may hold
 * `{{ variables.name }}` placeholders, resolved when deploying against the
 * variables of the target (the embedded home or the server).
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { isNode, isScalar, LineCounter, parseDocument, visit } from "npm:yaml@^2.9.1";
import { z } from "npm:zod@^4.6.7";
import { type DeploymentSpec, DeploymentSpecSchema } from "../wire/mod.ts";
import { checkJsonInput, type Json, resolveVariableTemplate } from "../engine/mod.ts";
import { UsageError } from "./format.ts";
import { unknownNameHint } from "../sdk/option_names.ts";
import { issueMessage, placeOfPath, syntaxErrorMessage } from "./manifest_errors.ts";

/** The default manifest file name. */
export const MANIFEST_FILE = "ironflow.yaml";

const ManifestSchema = z.strictObject({
  deployments: z.array(DeploymentSpecSchema).min(1, { error: "must list at least one deployment" }),
  // Applied and checked by "ironflow automation apply"; deploy leaves them alone.
  automations: z.array(z.unknown()).optional(),
});

/** Alias expansions a manifest may make; more is refused as a resource exhaustion attempt. */
export const MAX_ALIAS_COUNT = 100;

/** A manifest that cannot be used; the message lists every problem. */
export class ManifestError extends UsageError {
  override name = "ManifestError";
}

function where(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) =>
      typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
    "",
  );
}

type SchemaNode = { _zod: { def: { [key: string]: unknown } } };

/** The field names the schema allows for the object at `path`, to suggest the nearest one. */
function fieldsAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  const def = (schema as SchemaNode)._zod.def;
  switch (def["type"]) {
    case "optional":
    case "nullable":
    case "default":
      return fieldsAt(def["innerType"], path);
    case "pipe":
      return fieldsAt(def["in"], path);
    case "union":
      return [...new Set((def["options"] as unknown[]).flatMap((o) => fieldsAt(o, path)))];
    case "array":
      return typeof path[0] === "number" ? fieldsAt(def["element"], path.slice(1)) : [];
    case "object": {
      const shape = def["shape"] as Record<string, unknown>;
      if (path.length === 0) return Object.keys(shape);
      const next = shape[String(path[0])];
      return next === undefined ? [] : fieldsAt(next, path.slice(1));
    }
    default:
      return [];
  }
}

/** A `{{ variables.name }}` placeholder in a manifest, and where it is (1-based). */
export interface ManifestVariableUse {
  name: string;
  line: number;
  column: number;
}

const VARIABLE_PLACEHOLDER = /\{\{\s*variables\.([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * The `{{ variables.name }}` placeholders of the manifest's deployments, in
 * order: not its comments, and not its `automations:` (whose actions read
 * variables when they run).
 */
export function manifestVariableUses(text: string): ManifestVariableUse[] {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  if (document.errors.length > 0) return [];
  const deployments = document.get("deployments", true);
  if (!isNode(deployments)) return [];
  const uses: ManifestVariableUse[] = [];
  visit(deployments, {
    Scalar(_key, node) {
      if (!isScalar(node) || typeof node.value !== "string" || !node.range) return;
      const [start, end] = node.range;
      // Found in the source text for an exact column; a placeholder folded over lines is placed at its value.
      const source = text.slice(start, end);
      const inSource = [...source.matchAll(VARIABLE_PLACEHOLDER)];
      const found = inSource.length > 0
        ? inSource.map((m) => ({ name: m[1]!, offset: start + m.index }))
        : [...node.value.matchAll(VARIABLE_PLACEHOLDER)].map((m) => ({
          name: m[1]!,
          offset: start,
        }));
      for (const { name, offset } of found) {
        const { line, col } = lines.linePos(offset);
        uses.push({ name, line, column: col });
      }
    },
  });
  return uses;
}

/** Options of {@linkcode parseManifest}. */
export interface ParseManifestOptions {
  /**
   * Values of the variables the manifest's `{{ variables.name }}` placeholders
   * read; a placeholder naming one it lacks is an error. @default none
   */
  variables?: ReadonlyMap<string, Json>;
}

/**
 * Parses manifest text. Relative `working_directory` values (also given as
 * the job variable `working_directory`) resolve against `baseDir`, which is
 * also the default working directory of every entry.
 */
export function parseManifest(
  text: string,
  file: string,
  baseDir: string,
  options: ParseManifestOptions = {},
): DeploymentSpec[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter });
  if (document.errors.length > 0) {
    throw new ManifestError(syntaxErrorMessage(file, text, document.errors, lineCounter));
  }
  let data: unknown;
  try {
    // Aliases expand on conversion: a few lines can stand for billions of nodes.
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    throw new ManifestError(
      `Cannot parse ${file}: ${
        cause instanceof ReferenceError && /alias/i.test(cause.message)
          ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT})`
          : (cause as Error).message.split("\n")[0]
      }`,
      { cause },
    );
  }
  const problem = checkJsonInput(data);
  if (problem !== undefined) throw new ManifestError(`Invalid ${file}: ${problem.message}`);
  data = withVariables(data as Json, text, file, options.variables ?? new Map());
  const parsed = ManifestSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues;
    // A misspelt key also fails the checks of the object it is in: report it once.
    const unknownAt = new Set(
      issues.filter((i) => i.code === "unrecognized_keys").map((i) => where(i.path)),
    );
    const problems = issues.filter((issue) =>
      issue.code !== "custom" || !unknownAt.has(where(issue.path))
    ).flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) =>
          `${placeOfPath(document, lineCounter, issue.path, key)}${
            where(issue.path) || "manifest"
          }: unknown field "${key}": ${
            unknownNameHint(key, fieldsAt(ManifestSchema, issue.path)).replace("options", "fields")
          }`
        )
        : [
          `${placeOfPath(document, lineCounter, issue.path)}${where(issue.path) || "manifest"}: ${
            issueMessage(issue, data)
          }`,
        ]
    );
    throw new ManifestError(`Invalid ${file}:\n  ${problems.join("\n  ")}`);
  }
  const names = new Set<string>();
  for (const spec of parsed.data.deployments) {
    if (names.has(spec.name)) {
      throw new ManifestError(`Invalid ${file}: deployment name "${spec.name}" appears twice`);
    }
    names.add(spec.name);
  }
  return parsed.data.deployments.map((spec) => {
    const dir = spec.working_directory ?? jobVariablesDirectory(spec);
    return {
      ...spec,
      working_directory: dir ? (isAbsolute(dir) ? dir : resolve(baseDir, dir)) : baseDir,
    };
  });
}

/** Prefect's spelling of the working directory: `job_variables.working_directory`. */
function jobVariablesDirectory(spec: DeploymentSpec): string | undefined {
  const fromPool = typeof spec.work_pool === "object"
    ? spec.work_pool.job_variables?.["working_directory"]
    : undefined;
  const dir = spec.job_variables?.["working_directory"] ?? fromPool;
  return typeof dir === "string" && dir !== "" ? dir : undefined;
}

function withVariables(
  data: Json,
  text: string,
  file: string,
  values: ReadonlyMap<string, Json>,
): Json {
  const unknown = manifestVariableUses(text).filter((use) => !values.has(use.name));
  if (unknown.length > 0) {
    throw new ManifestError(
      `Invalid ${file}:\n  ${
        unknown.map((use) =>
          `${file}:${use.line}:${use.column}: variable "${use.name}" does not exist on the target (used as {{ variables.${use.name} }}); create it with "ironflow variable set ${use.name} <value>"`
        ).join("\n  ")
      }`,
    );
  }
  if (data === null || typeof data !== "object" || Array.isArray(data) || !data["deployments"]) {
    return data;
  }
  return {
    ...data,
    deployments: resolveVariableTemplate(data["deployments"], (name) => values.get(name)),
  };
}

/** Options of {@linkcode readManifest}. */
export interface ReadManifestOptions {
  /** The value of a variable the manifest reads, or `undefined` when it does not exist. */
  variable?: (name: string) => Promise<Json | undefined>;
}

/**
 * Reads and parses the manifest at `path` (relative to `cwd`), reading the
 * variables its placeholders name through `options.variable`.
 */
export async function readManifest(
  path: string,
  cwd: string,
  options: ReadManifestOptions = {},
): Promise<DeploymentSpec[]> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let text: string;
  try {
    text = await Deno.readTextFile(full);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw new ManifestError(
        `No manifest at "${path}"; create one with "ironflow init" or pass --file`,
        { cause },
      );
    }
    throw cause;
  }
  const variables = new Map<string, Json>();
  for (const name of new Set(manifestVariableUses(text).map((use) => use.name))) {
    const value = await options.variable?.(name);
    if (value !== undefined) variables.set(name, value);
  }
  return parseManifest(text, path, dirname(full), { variables });
}

/** A starter manifest for `ironflow init`. */
export const STARTER_MANIFEST = `# IronFlow deployments: apply with "ironflow deploy --all".
deployments:
  - name: hello-hourly
    entrypoint: ./flows/hello.ts:hello
    description: Says hello every hour
    parameters:
      name: world
    parameter_schema:
      type: object
      properties:
        name: { type: string }
    tags: [example]
    work_pool: default
    concurrency_limit: 1
    collision_strategy: ENQUEUE
    schedules:
      - cron: "0 * * * *"
        timezone: UTC
        active: false # turn on, then "ironflow deploy --all"
`;

/** A starter flow for `ironflow init`, importing the SDK from `sdk`. */
export function starterFlow(sdk: string): string {
  return `import { flow, task } from "${sdk}";

const greet = task({ name: "greet" }, async (name: string) => {
  await Promise.resolve();
  return \`Hello, \${name}!\`;
});

/** Run it with "ironflow run flows/hello.ts:hello --param name=you". */
export const hello = flow({ name: "hello" }, async (name: string = "world") => {
  const message = await greet(name);
  console.log(message);
  return message;
});
`;
}
