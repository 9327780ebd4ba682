/**
 * `ironflow variable ls|get|set|unset` and `ironflow secret ls|set|unset`,
 * on the server at `IRONFLOW_API_URL` or the embedded store.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Json } from "../engine/mod.ts";
import { table, time, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { openDeploymentTarget } from "./deployment_target.ts";

export const VARIABLE_HELP = `Usage: ironflow variable <command> [options]

Commands:
  ls [--json]                    variables with their values
  get <name> [--json]            one variable's value (JSON with --json)
  set <name> <value> [--json]    create or replace; <value> is text, or JSON with --json
  unset <name>                   delete it`;

export const SECRET_HELP = `Usage: ironflow secret <command> [options]

Commands:
  ls [--json]                    secret names (values are never shown)
  set <name> [--value V]         create or replace; the value is read from stdin without --value
  unset <name>                   delete it

Setting a secret needs IRONFLOW_SECRET_KEY where it is encrypted (the server, or this shell for
the embedded store).`;

/** Runs a variable subcommand; resolves with the exit code. */
export async function variableCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(VARIABLE_HELP);
    return 0;
  }
  const variables = openDeploymentTarget(cli).plane.variables!;
  const name = () => {
    const value = positionals[0];
    if (!value) throw new UsageError(`Missing the variable name.\n\n${VARIABLE_HELP}`);
    return value;
  };
  switch (sub) {
    case "ls": {
      const all = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof variables.list>> = await variables.list({
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      if (values.json) {
        cli.out(JSON.stringify(all.map((v) => ({ name: v.name, value: v.value })), null, 2));
      } else {
        cli.out(
          all.length === 0
            ? "No variables yet. Set one with: ironflow variable set <name> <value>"
            : table(
              ["NAME", "VALUE", "UPDATED"],
              all.map((v) => [v.name, JSON.stringify(v.value).slice(0, 60), time(v.updatedAt)]),
            ),
        );
      }
      return 0;
    }
    case "get": {
      const found = await variables.get(name());
      if (!found) throw new UsageError(`Variable "${name()}" does not exist`);
      cli.out(
        values.json || typeof found.value !== "string" ? JSON.stringify(found.value) : found.value,
      );
      return 0;
    }
    case "set": {
      const text = positionals[1];
      if (text === undefined) throw new UsageError(`Missing the value.\n\n${VARIABLE_HELP}`);
      let value: Json = text;
      if (values.json) {
        try {
          value = JSON.parse(text);
        } catch (error) {
          throw new UsageError(`--json value is not JSON: ${(error as Error).message}`);
        }
      }
      await variables.set(name(), value);
      cli.out(`Set variable "${name()}"`);
      return 0;
    }
    case "unset": {
      if (!(await variables.unset(name()))) {
        throw new UsageError(`Variable "${name()}" does not exist`);
      }
      cli.out(`Unset variable "${name()}"`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "variable ${sub}".\n\n${VARIABLE_HELP}`);
  }
}

/** Runs a secret subcommand; resolves with the exit code. */
export async function secretCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      value: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(SECRET_HELP);
    return 0;
  }
  const secrets = openDeploymentTarget(cli).plane.secrets!;
  const name = () => {
    const value = positionals[0];
    if (!value) throw new UsageError(`Missing the secret name.\n\n${SECRET_HELP}`);
    return value;
  };
  switch (sub) {
    case "ls": {
      const page = await secrets.list({ limit: 1000 });
      if (values.json) cli.out(JSON.stringify(page.items.map((s) => s.name), null, 2));
      else {
        cli.out(
          page.items.length === 0
            ? "No secrets yet. Set one with: ironflow secret set <name>"
            : table(
              ["NAME", "UPDATED"],
              page.items.map((s) => [s.name, time(s.updatedAt)]),
            ),
        );
      }
      return 0;
    }
    case "set": {
      if (positionals.length > 1) {
        throw new UsageError(
          "Give the value with --value or on stdin, not as an argument (it would stay in the shell's history)",
        );
      }
      const value = values.value ??
        (await new Response(Deno.stdin.readable).text()).replace(/\r?\n$/, "");
      if (value === "") {
        throw new UsageError("The secret value is empty: give --value or pipe it on stdin");
      }
      await secrets.set(name(), value);
      cli.out(`Set secret "${name()}"`);
      return 0;
    }
    case "unset": {
      if (!(await secrets.unset(name()))) throw new UsageError(`Secret "${name()}" does not exist`);
      cli.out(`Unset secret "${name()}"`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "secret ${sub}".\n\n${SECRET_HELP}`);
  }
}
