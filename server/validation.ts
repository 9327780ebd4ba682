/**
 * Request validation from zod schemas: query strings and JSON bodies are
 * parsed by a schema or answered with 400 and the list of problems.
 *
 * @module
 */
import type { Context } from "hono";
import { z } from "zod";
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

/** The query string as an object: repeated keys become arrays. */
export function queryObject(c: Context): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/**
 * Reads the body as JSON: malformed JSON is a 400 `malformed_json`; an empty
 * body is `undefined`.
 */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new HttpError(400, "malformed_json", "Request body is not valid JSON", {
      cause,
      details: { reason: cause instanceof Error ? cause.message : String(cause) },
    });
  }
}
