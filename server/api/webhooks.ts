/**
 * Webhooks: other services post JSON to `/api/webhooks/{slug}` with the
 * webhook's own token (not the API key); its template turns the body into an
 * event. The app's request guard still applies: the call must be
 * `Content-Type: application/json` and not come from another site's page, so
 * a browser cannot be made to forge one.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  appendEvents,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  putWebhook,
  type Webhook,
  webhookEvent,
  webhookProblems,
} from "../../engine/events/mod.ts";
import { InvalidArgumentError, type Json, NotFoundError } from "../../engine/mod.ts";
import { bearerToken, verifyApiKey } from "../auth.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import {
  EventSchema,
  PutWebhookBody,
  toApiEvent,
  toApiWebhook,
  WebhookSchema,
} from "../../wire/events.ts";
import { pageOf } from "../../wire/schemas.ts";
import { JsonSchema } from "../../wire/run_schemas.ts";
import type { ApiRouter } from "./router.ts";

const TAG = "Webhooks";
const SLUG = { slug: "Webhook slug" };

/** The path a webhook is called at; the API key check lets it through (it checks its token). */
export const WEBHOOK_CALL_PATH = /^\/api\/webhooks\/[^/]+$/;

/** SHA-256 of a token, hex. */
export function tokenSha256(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return "whk_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Registers the webhook routes. */
export function webhookRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine, clock } = deps;
  const existing = (slug: string): Webhook => {
    const webhook = getWebhook(engine.reader, slug);
    if (!webhook) {
      throw new NotFoundError(`Webhook "${slug}" does not exist`, { code: "webhook_not_found" });
    }
    return webhook;
  };

  router.add({
    method: "get",
    path: "/webhooks",
    tag: TAG,
    summary: "List webhooks (without their tokens)",
    response: pageOf(WebhookSchema),
  }, (c) => c.json({ items: listWebhooks(engine.reader).map(toApiWebhook), next_cursor: null }));

  router.add({
    method: "get",
    path: "/webhooks/:slug",
    tag: TAG,
    summary: "Read a webhook (without its token)",
    params: SLUG,
    response: WebhookSchema,
  }, (c, { params }) => c.json(toApiWebhook(existing(params.slug!))));

  router.add({
    method: "put",
    path: "/webhooks/:slug",
    tag: TAG,
    summary: "Create or replace a webhook",
    description: "Answers the webhook's secret token once: when it is created, or with " +
      "`rotate_token: true`. Template placeholders read the posted JSON as `{{ body.path }}`.",
    params: SLUG,
    body: PutWebhookBody,
    response: WebhookSchema,
  }, async (c, { params, body }) => {
    const slug = params.slug!;
    const problems = webhookProblems(slug, body.template as Webhook["template"]);
    if (problems.length > 0) {
      throw new InvalidArgumentError(`Invalid webhook: ${problems.join("; ")}`, {
        code: "invalid_webhook",
      });
    }
    const result = await engine.transact((tx) => {
      const now = clock.now();
      const before = getWebhook(tx, slug);
      const token = !before || body.rotate_token ? newToken() : undefined;
      const webhook: Webhook = {
        slug,
        description: body.description ?? before?.description ?? "",
        template: body.template as Webhook["template"],
        tokenSha256: token ? tokenSha256(token) : before!.tokenSha256,
        enabled: body.enabled ?? before?.enabled ?? true,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      };
      putWebhook(tx, webhook);
      return { webhook, token, created: !before };
    });
    const answer = {
      ...toApiWebhook(result.webhook),
      ...(result.token ? { token: result.token } : {}),
    };
    return c.json(answer, result.created ? 201 : 200);
  });

  router.add({
    method: "delete",
    path: "/webhooks/:slug",
    tag: TAG,
    summary: "Delete a webhook",
    params: SLUG,
    response: z.object({ slug: z.string() }),
  }, async (c, { params }) => {
    const slug = params.slug!;
    const deleted = await engine.transact((tx) => deleteWebhook(tx, slug));
    if (!deleted) existing(slug);
    return c.json({ slug });
  });

  router.add({
    method: "post",
    path: "/webhooks/:slug",
    tag: TAG,
    summary: "Call a webhook: its template turns the JSON body into an event",
    description: "Authenticated by the webhook's token (`Authorization: Bearer <token>`), " +
      "not the API key. Must be sent as `Content-Type: application/json`.",
    params: SLUG,
    body: JsonSchema,
    status: 201,
    response: EventSchema,
  }, async (c, { params, body }) => {
    const webhook = getWebhook(engine.reader, params.slug!);
    const token = bearerToken(c.req.header("authorization"));
    // An unknown slug and a wrong token answer alike: slugs are not secrets, but callers learn nothing.
    if (
      !webhook ||
      !verifyApiKey(token === undefined ? undefined : tokenSha256(token), webhook.tokenSha256)
    ) {
      c.header("WWW-Authenticate", 'Bearer realm="ironflow-webhook"');
      throw new HttpError(
        401,
        "unauthorized",
        "Missing or invalid webhook token: send Authorization: Bearer <token>",
      );
    }
    if (!webhook.enabled) {
      throw new HttpError(409, "webhook_disabled", `Webhook "${webhook.slug}" is disabled`);
    }
    const input = webhookEvent(webhook.template, body as Json);
    const [event] = await engine.transact((tx) =>
      appendEvents(tx, [input], {
        now: clock.now(),
        ...(deps.eventRetentionMs !== undefined ? { retentionMs: deps.eventRetentionMs } : {}),
      })
    );
    return c.json(toApiEvent(event!), 201);
  });
}
