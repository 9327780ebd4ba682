/**
 * Variables on a control plane: in this process, or on a server over its
 * HTTP API.
 *
 * @module
 */
import type { Clock, Engine, Json } from "../engine/mod.ts";
import { checkName, type Variable, VariableService } from "../engine/variables/mod.ts";
import type { ApiVariable } from "../wire/variable_schemas.ts";
import { fromApiVariable } from "../wire/variables.ts";
import {
  createHttpClient,
  deleteIfFound,
  type HttpClientOptions,
  listNamedPage,
} from "./http_client.ts";

/** Variables on a control plane. */
export interface VariableClient {
  get(name: string): Promise<Variable | undefined>;
  set(name: string, value: Json): Promise<Variable>;
  /** Whether the variable existed. */
  unset(name: string): Promise<boolean>;
  /** A page in name order. */
  list(
    query?: { cursor?: string; limit?: number },
  ): Promise<{ items: Variable[]; nextCursor: string | null }>;
}

/** Variables of an engine in this process. */
export function createLocalVariableClient(
  engine: Engine,
  clock: Clock = engine.clock,
): VariableClient {
  const service = new VariableService({ engine, clock });
  return {
    get: (name) => Promise.resolve(service.get(name)),
    set: (name, value) => service.set(name, value),
    unset: (name) => service.unset(name),
    list: (query) => Promise.resolve(service.list(query)),
  };
}

/** Variables of a server, over its HTTP API. */
export function createRemoteVariableClient(
  options: Pick<HttpClientOptions, "url" | "apiKey" | "fetch">,
): VariableClient {
  const client = createHttpClient(options);
  const pathOf = (name: string) => `/api/variables/${encodeURIComponent(checkName(name))}`;
  return {
    async get(name) {
      const found = await client.find<ApiVariable>(pathOf(name));
      return found ? fromApiVariable(found) : undefined;
    },
    async set(name, value) {
      return fromApiVariable((await client.request<ApiVariable>("PUT", pathOf(name), { value }))!);
    },
    unset: (name) => deleteIfFound(client, pathOf(name)),
    list: (query = {}) => listNamedPage(client, "/api/variables", query, fromApiVariable),
  };
}
