/**
 * HTTP errors and the one place that maps domain errors to statuses. Every
 * 4xx/5xx answer of the API has the body `{ error: { code, message, details } }`.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  ConflictError,
  InvalidInputError,
  InvalidTransitionError,
  IronFlowError,
  NotFoundError,
  StorageErrorCode,
  storageErrorOf,
} from "../engine/mod.ts";

/** The JSON body of every error answer. */
export interface ApiErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** An error that carries its HTTP status, a stable code and optional details. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details: unknown;
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options?: ErrorOptions & { details?: unknown },
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.details = options?.details ?? null;
  }
}

/** The error body for `code` and `message`. */
export function errorBody(code: string, message: string, details: unknown = null): ApiErrorBody {
  return { error: { code, message, details } };
}

/** Maps any thrown value to a status and an error body. */
export function describeError(
  error: unknown,
): { status: ContentfulStatusCode; body: ApiErrorBody } {
  if (error instanceof HttpError) {
    return { status: error.status, body: errorBody(error.code, error.message, error.details) };
  }
  // A full disk or I/O error is not the request's fault: 503, retry later.
  const storage = storageErrorOf(error);
  if (storage) {
    const message = storage.code === StorageErrorCode.FULL
      ? "Storage is full: the server cannot record changes until space is freed"
      : storage.code === StorageErrorCode.IO
      ? "Storage I/O error: the server cannot record changes"
      : "Storage is corrupt: the server cannot record changes";
    return { status: 503, body: errorBody(storage.code, message) };
  }
  if (error instanceof NotFoundError) {
    return { status: 404, body: errorBody(error.code, error.message) };
  }
  if (error instanceof ConflictError || error instanceof InvalidTransitionError) {
    return { status: 409, body: errorBody(error.code, error.message) };
  }
  if (error instanceof InvalidInputError) {
    return {
      status: 400,
      body: errorBody(error.code, error.message, { problems: error.problems }),
    };
  }
  // InvalidArgumentError, InvalidCursorError and other refusals of the request.
  // A TypeError or RangeError is no refusal but a bug: it falls through to 500.
  if (error instanceof IronFlowError) {
    return { status: 400, body: errorBody(error.code, error.message) };
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return { status, body: errorBody(`http_${status}`, error.message || `HTTP ${status}`) };
  }
  return { status: 500, body: errorBody("internal_error", "Internal server error") };
}

/**
 * The app's `onError`: one JSON shape for every failure; 5xx are logged,
 * except storage faults, which `StorageHealth` logs once.
 */
export function handleError(error: unknown, c: Context): Response {
  const { status, body } = describeError(error);
  if (status >= 500 && !storageErrorOf(error)) console.error(error);
  return c.json(body, status);
}

/** The app's `notFound`: JSON under `/api`, plain text elsewhere. */
export function handleNotFound(c: Context): Response {
  const path = c.req.path;
  if (path === "/api" || path.startsWith("/api/")) {
    return c.json(
      errorBody("route_not_found", `No route ${c.req.method} "${path}"`),
      404,
    );
  }
  return c.text("Not found", 404);
}
