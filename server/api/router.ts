/**
 * A Hono router that declares each route once: method, path, schemas and
 * docs. The same declaration validates requests and feeds the OpenAPI
 * document, so the docs cannot drift from what the handlers accept.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { jsonBody, pathParams, queryObject, validate } from "../validation.ts";

/** HTTP methods the API uses. */
export type Method = "get" | "put" | "post" | "patch" | "delete";

/** The declaration of one route. */
export interface RouteSpec<Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Hono path relative to the router's mount point, e.g. `/flow-runs/:id`. */
  path: string;
  /** OpenAPI tag (group). */
  tag: string;
  summary: string;
  description?: string;
  /** Schema of the query string; default: no parameters allowed. */
  query?: Q;
  /** Schema of the JSON body. */
  body?: B;
  /** An empty body counts as `{}`. @default false */
  bodyOptional?: boolean;
  /**
   * The body is raw bytes of this media type, which the handler reads itself
   * (the router reads and validates no JSON body).
   */
  rawBody?: string;
  /** The success answer is raw bytes of this media type, for the docs. */
  rawResponse?: string;
  /** Schema of the success answer, for the docs. */
  response?: z.ZodType;
  /** Success status. @default 200 */
  status?: number;
  /** The answer is a `text/event-stream`. */
  stream?: boolean;
  /** Path parameters and what they are. */
  params?: Record<string, string>;
}

/** Validated input of a handler. */
export interface RouteInput<Q extends z.ZodType, B extends z.ZodType> {
  query: z.output<Q>;
  body: z.output<B>;
  params: Record<string, string>;
}

const NO_QUERY = z.strictObject({});
const NO_BODY = z.undefined({ error: "must be empty: this route takes no body" });

/** Routes with their declarations. */
export class ApiRouter {
  readonly hono: Hono = new Hono();
  readonly specs: RouteSpec[] = [];

  /** Declares a route and registers its handler behind validation. */
  add<Q extends z.ZodType = typeof NO_QUERY, B extends z.ZodType = typeof NO_BODY>(
    spec: RouteSpec<Q, B>,
    handler: (c: Context, input: RouteInput<Q, B>) => Response | Promise<Response>,
  ): void {
    this.specs.push(spec as unknown as RouteSpec);
    const query = spec.query ?? NO_QUERY;
    const body = spec.body ?? NO_BODY;
    const readsBody = spec.method !== "get" && spec.rawBody === undefined;
    this.hono.on(spec.method.toUpperCase(), spec.path, async function route(c) {
      const params = pathParams(c);
      const input = {
        query: validate(query, queryObject(c), "query"),
        body: readsBody ? await readBody(c, body, spec.bodyOptional ?? false) : undefined,
        params,
      };
      return await handler(c, input as RouteInput<Q, B>);
    });
  }
}

async function readBody(c: Context, schema: z.ZodType, optional: boolean): Promise<unknown> {
  const raw = await jsonBody(c);
  return validate(schema, raw === undefined && optional ? {} : raw, "body");
}
