/**
 * Variables CRUD: named JSON values that flows read with `getVariable()`.
 *
 * @module
 */
import { NotFoundError } from "../../engine/mod.ts";
import { VariableService } from "../../engine/variables/mod.ts";
import type { AppDeps } from "../deps.ts";
import { CursorParam, LimitParam, pageOf } from "../../wire/schemas.ts";
import { SetVariableBody, toApiVariable, VariableSchema } from "../../wire/variable_schemas.ts";
import type { ApiRouter } from "./router.ts";
import { z } from "zod";

const NAME = { name: "Variable name: lowercase letters, digits, _ and -" };
const TAG = "Variables";
const ListQuery = z.strictObject({ limit: LimitParam.optional(), cursor: CursorParam.optional() });

/** Registers the variable routes. */
export function variableRoutes(router: ApiRouter, deps: AppDeps): void {
  const variables = new VariableService({ engine: deps.engine, clock: deps.clock });
  const existing = (name: string) => {
    const variable = variables.get(name);
    if (!variable) {
      throw new NotFoundError(`Variable "${name}" does not exist`, { code: "variable_not_found" });
    }
    return variable;
  };

  router.add({
    method: "get",
    path: "/variables",
    tag: TAG,
    summary: "List variables",
    description: "In name order; `cursor` is the `next_cursor` of the previous page.",
    query: ListQuery,
    response: pageOf(VariableSchema),
  }, (c, { query }) => {
    const page = variables.list({
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
    });
    return c.json({ items: page.items.map(toApiVariable), next_cursor: page.nextCursor });
  });

  router.add({
    method: "get",
    path: "/variables/:name",
    tag: TAG,
    summary: "A variable",
    params: NAME,
    response: VariableSchema,
  }, (c, { params }) => c.json(toApiVariable(existing(params.name!))));

  router.add({
    method: "put",
    path: "/variables/:name",
    tag: TAG,
    summary: "Create or replace a variable",
    params: NAME,
    body: SetVariableBody,
    response: VariableSchema,
  }, async (c, { params, body }) => {
    return c.json(toApiVariable(await variables.set(params.name!, body.value)));
  });

  router.add({
    method: "delete",
    path: "/variables/:name",
    tag: TAG,
    summary: "Delete a variable",
    params: NAME,
    status: 204,
  }, async (c, { params }) => {
    if (!(await variables.unset(params.name!))) existing(params.name!);
    return c.body(null, 204);
  });
}
