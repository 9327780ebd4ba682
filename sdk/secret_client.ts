/**
 * Secrets on a control plane: decrypted in this process (with
 * `IRONFLOW_SECRET_KEY`), or revealed by a server over its HTTP API (with
 * `IRONFLOW_API_KEY` when the server has one). Every revealed value is
 * remembered by the client's redactor.
 *
 * @module
 */
import type { Clock, Engine } from "../engine/mod.ts";
import { checkName } from "../engine/variables/mod.ts";
import { SecretCipher, type SecretInfo, SecretService } from "../engine/secrets/mod.ts";
import type { ApiSecretInfo } from "../wire/mod.ts";
import {
  createHttpClient,
  deleteIfFound,
  type HttpClientOptions,
  listNamedPage,
} from "./http_client.ts";
import { SecretRedactor } from "./redaction.ts";

/** Secrets on a control plane. */
export interface SecretClient {
  /** The value of `name` (remembered for redaction), or `undefined`. */
  reveal(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<SecretInfo>;
  /** Whether the secret existed. */
  unset(name: string): Promise<boolean>;
  /** Names and times, a page in name order. */
  list(
    query?: { cursor?: string; limit?: number },
  ): Promise<{ items: SecretInfo[]; nextCursor: string | null }>;
  /** The values revealed so far. */
  readonly redactor: SecretRedactor;
}

/** Secrets of an engine in this process, sealed with `secretKey` (read when first needed). */
export function createLocalSecretClient(
  engine: Engine,
  options: { clock?: Clock; secretKey: () => string | undefined },
): SecretClient {
  const redactor = new SecretRedactor();
  let service: Promise<SecretService> | undefined;
  const serviceOf = () =>
    service ??= (async () => {
      const key = options.secretKey();
      const cipher = key ? await SecretCipher.fromKey(key) : undefined;
      return new SecretService({
        engine,
        clock: options.clock ?? engine.clock,
        ...(cipher ? { cipher } : {}),
      });
    })();
  return {
    redactor,
    async reveal(name) {
      const value = await (await serviceOf()).reveal(name);
      if (value !== undefined) redactor.add(value);
      return value;
    },
    set: async (name, value) => await (await serviceOf()).set(name, value),
    unset: async (name) => await (await serviceOf()).unset(name),
    list: async (query) => (await serviceOf()).list(query),
  };
}

/** Secrets of a server, over its HTTP API. */
export function createRemoteSecretClient(
  options: Pick<HttpClientOptions, "url" | "apiKey" | "fetch">,
): SecretClient {
  const client = createHttpClient(options);
  const redactor = new SecretRedactor();
  const pathOf = (name: string) => `/api/secrets/${encodeURIComponent(checkName(name, "Secret"))}`;
  const fromApi = (api: ApiSecretInfo): SecretInfo => ({
    name: api.name,
    createdAt: Date.parse(api.created_at),
    updatedAt: Date.parse(api.updated_at),
  });
  return {
    redactor,
    async reveal(name) {
      const answer = await client.exchange<{ value: string } | undefined>(
        "POST",
        `${pathOf(name)}/reveal`,
        { body: "{}", absentOn404: true },
        async (res) => await res.json(),
      );
      if (answer === undefined) return undefined;
      redactor.add(answer.value);
      return answer.value;
    },
    async set(name, value) {
      return fromApi((await client.request<ApiSecretInfo>("PUT", pathOf(name), { value }))!);
    },
    unset: (name) => deleteIfFound(client, pathOf(name)),
    list: (query = {}) => listNamedPage(client, "/api/secrets", query, fromApi),
  };
}
