/**
 * The OpenAPI 3.1 document, generated from the route declarations and their
 * zod schemas.
 *
 * @module
 */
import type { z } from "zod";
import { SchemaCollector } from "./json_schema.ts";
import type { RouteSpec } from "./router.ts";
import { ErrorSchema } from "../../wire/schemas.ts";

/** Routes declared under one mount point. */
export interface RouteGroup {
  prefix: string;
  specs: readonly RouteSpec[];
}

/** A path as OpenAPI writes it: `/flow-runs/:id` → `/flow-runs/{id}`. */
function openApiPath(prefix: string, path: string): string {
  return `${prefix}${path}`.replaceAll(/:(\w+)/g, "{$1}") || "/";
}

/** Builds the OpenAPI 3.1 document of `groups`. */
export function openApiDocument(groups: readonly RouteGroup[], version: string): object {
  const schemas = new SchemaCollector();
  const errorRef = schemas.convert(ErrorSchema, "output");
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { prefix, specs } of groups) {
    for (const spec of specs) {
      const path = openApiPath(prefix, spec.path);
      paths[path] ??= {};
      paths[path][spec.method] = operation(spec, schemas, errorRef);
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "IronFlow API",
      version,
      description: "Workflow orchestration API. Errors answer " +
        "`{ error: { code, message, details } }`; listings answer `{ items, next_cursor }`. " +
        "With an API key configured, `/api/*` needs `Authorization: Bearer <key>` (GET " +
        "requests may send the `ironflow_session` cookie instead).",
    },
    components: {
      schemas: schemas.components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

function operation(spec: RouteSpec, schemas: SchemaCollector, errorRef: object): object {
  const parameters: object[] = [];
  for (const [name, description] of Object.entries(spec.params ?? {})) {
    parameters.push({ name, in: "path", required: true, description, schema: { type: "string" } });
  }
  const shape = (spec.query as z.ZodObject | undefined)?.shape ?? {};
  for (const [name, field] of Object.entries(shape)) {
    const schema = schemas.convert(field as z.ZodType, "input");
    const { description, ...rest } = schema;
    parameters.push({
      name,
      in: "query",
      required: !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    });
  }
  const status = String(spec.status ?? 200);
  const success = spec.stream
    ? {
      description: "An event stream",
      content: { "text/event-stream": { schema: { type: "string" } } },
    }
    : spec.rawResponse
    ? {
      description: "The bytes",
      content: { [spec.rawResponse]: { schema: { type: "string", format: "binary" } } },
    }
    : spec.response
    ? {
      description: "Success",
      content: { "application/json": { schema: schemas.convert(spec.response, "output") } },
    }
    : { description: "Success" };
  const failure = { description: "Error", content: { "application/json": { schema: errorRef } } };
  return {
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    operationId: `${spec.method}${
      openApiPath("", spec.path).replaceAll(/[^\w]+(\w)?/g, (_, c) => (c ?? "").toUpperCase())
    }`,
    ...(parameters.length ? { parameters } : {}),
    ...(spec.rawBody
      ? {
        requestBody: {
          required: true,
          content: { [spec.rawBody]: { schema: { type: "string", format: "binary" } } },
        },
      }
      : spec.body
      ? {
        requestBody: {
          required: !spec.bodyOptional,
          content: { "application/json": { schema: schemas.convert(spec.body, "input") } },
        },
      }
      : {}),
    responses: { [status]: success, default: failure },
  };
}
