/**
 * Request validation from zod schemas: query strings and JSON bodies are
 * parsed by a schema or answered with 400 and the list of problems.
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
import { checkJsonInput, isCleanText, MAX_JSON_DEPTH } from "../engine/mod.ts";
import { HttpError } from "./errors.ts";

/** One problem with a request: where (`state[1]`, `runs[0].name`) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Validates `input` with `schema`; throws a 400 `HttpError` listing every issue. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: "query" | "body" | "path",
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map(toIssue);
  const first = details[0];
  throw new HttpError(
    400,
    "invalid_request",
    `Invalid request ${where}${first ? `: ${first.path || where} ${first.message}` : ""}`,
    { details },
  );
}

function toIssue(issue: z.core.$ZodIssue): ValidationIssue {
  const path = issue.path.reduce<string>(
    (out, key) =>
      typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
    "",
  );
  const message = issue.code === "unrecognized_keys"
    ? `has unknown field${issue.keys.length > 1 ? "s" : ""} ${
      issue.keys.map((k) => `"${k}"`).join(", ")
    }`
    : issue.message;
  return { path, message };
}

/**
 * The query string as an object: repeated keys become arrays. A name or
 * value that is not well-formed Unicode (a lone surrogate, NUL) is a 400
 * `invalid_unicode`.
 */
export function queryObject(c: Context): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (!isCleanText(key) || !values.every(isCleanText)) {
      throw uncleanText(`query parameter "${key.toWellFormed()}"`);
    }
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/** The path parameters; one that is not well-formed Unicode is a 400 `invalid_unicode`. */
export function pathParams(c: Context): Record<string, string> {
  const params = c.req.param() as Record<string, string>;
  for (const [key, value] of Object.entries(params)) {
    if (!isCleanText(value)) throw uncleanText(`path parameter "${key}"`);
  }
  return params;
}

function uncleanText(where: string): HttpError {
  return new HttpError(
    400,
    "invalid_unicode",
    `The ${where} is not well-formed Unicode (a lone surrogate or a NUL character)`,
    { details: [{ path: where, message: "not well-formed Unicode" }] },
  );
}

/**
 * Reads the body as JSON: malformed JSON is a 400 `malformed_json`, nesting
 * deeper than {@linkcode MAX_JSON_DEPTH} levels a 400 `json_too_deep`, a
 * string or key that is not well-formed Unicode (a lone surrogate, NUL) a
 * 400 `invalid_unicode`; an empty body is `undefined`. (Size is bounded
 * before: `bodyLimit`, 413.)
 */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new HttpError(400, "malformed_json", "Request body is not valid JSON", {
      cause,
      details: { reason: cause instanceof Error ? cause.message : String(cause) },
    });
  }
  checkJson(value);
  return value;
}

/** Throws a 400 (`json_too_deep`, `invalid_unicode`) for a JSON value the server does not hold. */
function checkJson(value: unknown): void {
  const problem = checkJsonInput(value, MAX_JSON_DEPTH);
  if (problem === undefined) return;
  throw new HttpError(400, problem.code, `Request body: ${problem.message}`, {
    details: [{ path: problem.path.toWellFormed(), message: problem.message }],
  });
}
