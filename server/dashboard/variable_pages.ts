/**
 * The variables and secrets pages and their forms. Variables take a JSON
 * value (a refusal is shown next to its field, nothing is saved); secrets
 * take a value in a password field and never show it again: the pages list
 * names and times only, and no answer of these routes carries a value.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { SecretService } from "../../engine/secrets/mod.ts";
import { VariableService } from "../../engine/variables/mod.ts";
import { SecretsPage, type VariableDraft, VariablesPage } from "../../ui/mod.ts";
import { describeError } from "../errors.ts";
import type { PageKit } from "./kit.ts";
import { sendPage } from "./render.ts";

const PAGE_SIZE = 50;

/** Registers `/variables` and `/secrets` with their forms. */
export function variablePages(pages: Hono, kit: PageKit): void {
  const { engine, clock, secretCipher } = kit.deps;
  const variables = new VariableService({ engine, clock });
  const secrets = new SecretService({
    engine,
    clock,
    ...(secretCipher ? { cipher: secretCipher } : {}),
  });
  const text = (form: Record<string, unknown>, name: string) =>
    typeof form[name] === "string" ? form[name] : "";
  const back = (c: Context, path: string, message: string) =>
    c.redirect(`${path}?flash=${kit.flashes.put(true, message)}`, 303);
  // A refusal of the request (4xx) as its message; anything else is thrown on.
  const refusal = (error: unknown): { code: string; message: string } => {
    const { status, body } = describeError(error);
    if (status >= 500) throw error;
    return body.error;
  };

  const variablesPage = (c: Context, draft?: VariableDraft) => {
    const cursor = c.req.query("cursor") ?? null;
    const page = variables.list({
      limit: PAGE_SIZE,
      ...(cursor !== null ? { cursor } : {}),
    });
    const editing = c.req.query("edit");
    const prefilled = draft ?? (editing ? draftOf(variables, editing) : undefined);
    return {
      variables: page.items,
      nextCursor: page.nextCursor,
      paged: cursor !== null,
      ...(prefilled ? { draft: prefilled } : {}),
      flash: kit.flashes.take(c.req.query("flash") ?? null),
    };
  };

  pages.get(
    "/variables",
    kit.page((c, ctx) => VariablesPage({ ctx, ...variablesPage(c) })),
  );
  pages.post(
    "/variables",
    kit.form(async (c, form, ctx) => {
      const name = text(form, "name").trim();
      const value = text(form, "value");
      const draft: VariableDraft = { name, value, problems: {} };
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (error) {
        draft.problems.value = `The value is not JSON: ${(error as Error).message}`;
      }
      if (draft.problems.value === undefined) {
        try {
          await variables.set(name, parsed);
          return back(c, "/variables", `Variable "${name}" saved.`);
        } catch (error) {
          const { code, message } = refusal(error);
          if (code === "invalid_name") draft.problems.name = message;
          else draft.problems.value = message;
        }
      }
      return sendPage(c, VariablesPage({ ctx, ...variablesPage(c, draft) }), 400);
    }),
  );
  pages.post(
    "/variables/:name/delete",
    kit.form(async (c, _form, ctx) => {
      const name = c.req.param("name") ?? "";
      if (!(await variables.unset(name))) {
        return kit.notFound(c, ctx, `Variable "${name}" does not exist`);
      }
      return back(c, "/variables", `Variable "${name}" deleted.`);
    }),
  );

  const secretsPage = (c: Context) => {
    const cursor = c.req.query("cursor") ?? null;
    const page = secrets.list({ limit: PAGE_SIZE, ...(cursor !== null ? { cursor } : {}) });
    return {
      secrets: page.items,
      nextCursor: page.nextCursor,
      paged: cursor !== null,
      canSet: secretCipher !== undefined,
      flash: kit.flashes.take(c.req.query("flash") ?? null),
    };
  };
  pages.get("/secrets", kit.page((c, ctx) => SecretsPage({ ctx, ...secretsPage(c) })));
  pages.post(
    "/secrets",
    kit.form(async (c, form, ctx) => {
      const name = text(form, "name").trim();
      let error: string;
      if (secretCipher === undefined) {
        error = "This server has no IRONFLOW_SECRET_KEY: nothing was saved";
      } else {
        try {
          await secrets.set(name, text(form, "value"));
          return back(c, "/secrets", `Secret "${name}" saved.`);
        } catch (thrown) {
          error = refusal(thrown).message;
        }
      }
      return sendPage(c, SecretsPage({ ctx, ...secretsPage(c), name, error }), 400);
    }),
  );
  pages.post(
    "/secrets/:name/delete",
    kit.form(async (c, _form, ctx) => {
      const name = c.req.param("name") ?? "";
      if (!(await secrets.unset(name))) {
        return kit.notFound(c, ctx, `Secret "${name}" does not exist`);
      }
      return back(c, "/secrets", `Secret "${name}" deleted.`);
    }),
  );
}

// The form prefilled with a stored variable, to edit it.
function draftOf(variables: VariableService, name: string): VariableDraft | undefined {
  try {
    const variable = variables.get(name);
    if (!variable) return undefined;
    return { name, value: JSON.stringify(variable.value, null, 2), problems: {} };
  } catch {
    return undefined;
  }
}
