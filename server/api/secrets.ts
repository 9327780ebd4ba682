/**
 * Secrets: set, list (names only), delete, and reveal. The value leaves the
 * server only in the answer of `POST /secrets/{name}/reveal`: a POST, so a
 * dashboard session (whose cookie opens GET requests only) never reads it,
 * and with `IRONFLOW_API_KEY` set only holders of the key do.
 *
 * @module
 */
import { NotFoundError } from "../../engine/mod.ts";
import { SecretKeyError, SecretService } from "../../engine/secrets/mod.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { CursorParam, LimitParam, pageOf } from "../../wire/schemas.ts";
import {
  RevealedSecretSchema,
  SecretInfoSchema,
  SetSecretBody,
  toApiSecretInfo,
} from "../../wire/secret_schemas.ts";
import type { ApiRouter } from "./router.ts";
import { z } from "zod";

const NAME = { name: "Secret name: lowercase letters, digits, _ and -" };
const TAG = "Secrets";
const ListQuery = z.strictObject({ limit: LimitParam.optional(), cursor: CursorParam.optional() });

/** Registers the secret routes. */
export function secretRoutes(router: ApiRouter, deps: AppDeps): void {
  const secrets = new SecretService({
    engine: deps.engine,
    clock: deps.clock,
    ...(deps.secretCipher ? { cipher: deps.secretCipher } : {}),
  });
  const missing = (name: string) =>
    new NotFoundError(`Secret "${name}" does not exist`, { code: "secret_not_found" });
  // A key problem is the server's configuration, not the caller's request.
  const keyed = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SecretKeyError) throw new HttpError(503, error.code, error.message);
      throw error;
    }
  };

  router.add({
    method: "get",
    path: "/secrets",
    tag: TAG,
    summary: "List secrets (names and times, never values)",
    query: ListQuery,
    response: pageOf(SecretInfoSchema),
  }, (c, { query }) => {
    const page = secrets.list({
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
    });
    return c.json({ items: page.items.map(toApiSecretInfo), next_cursor: page.nextCursor });
  });

  router.add({
    method: "get",
    path: "/secrets/:name",
    tag: TAG,
    summary: "A secret's name and times (never its value)",
    params: NAME,
    response: SecretInfoSchema,
  }, (c, { params }) => {
    const info = secrets.info(params.name!);
    if (!info) throw missing(params.name!);
    return c.json(toApiSecretInfo(info));
  });

  router.add({
    method: "put",
    path: "/secrets/:name",
    tag: TAG,
    summary: "Create or replace a secret",
    description:
      "Encrypted with the server's IRONFLOW_SECRET_KEY; 503 secret_key_missing without one.",
    params: NAME,
    body: SetSecretBody,
    response: SecretInfoSchema,
  }, async (c, { params, body }) => {
    const info = await keyed(() => secrets.set(params.name!, body.value));
    return c.json(toApiSecretInfo(info));
  });

  router.add({
    method: "post",
    path: "/secrets/:name/reveal",
    tag: TAG,
    summary: "A secret's value",
    description: "Needs the API key when one is set; a dashboard session cannot call it.",
    params: NAME,
    bodyOptional: true,
    body: z.strictObject({}),
    response: RevealedSecretSchema,
  }, async (c, { params }) => {
    const value = await keyed(() => secrets.reveal(params.name!));
    if (value === undefined) throw missing(params.name!);
    c.header("Cache-Control", "no-store");
    return c.json({ name: params.name!, value });
  });

  router.add({
    method: "delete",
    path: "/secrets/:name",
    tag: TAG,
    summary: "Delete a secret",
    params: NAME,
    status: 204,
  }, async (c, { params }) => {
    if (!(await secrets.unset(params.name!))) throw missing(params.name!);
    return c.body(null, 204);
  });
}
