/**
 * `ironflow automation ls|inspect|create|apply|pause|resume|delete`. The
 * commands speak the HTTP API: to the server at `IRONFLOW_API_URL`, else to
 * an app over the embedded store in this process (one validation for both).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { parse as parseYaml } from "npm:yaml@^2.9.1";
import { createHttpClient, type HttpClient } from "../sdk/http_client.ts";
import { systemClock } from "../engine/mod.ts";
import { createApp } from "../server/app.ts";
import { table, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

export const AUTOMATION_HELP = `Usage: ironflow automation <command> [options]

Commands:
  ls [--json]                       automations with their last firing
  inspect <name|id> [--json]        one automation with its recent firings
  create --file <path>              create one automation (YAML or JSON file)
  apply [--file <path>]             create or replace, by name, the automations of a
                                    file's "automations:" list (default ./ironflow.yaml)
  pause <name|id>                   stop reacting
  resume <name|id>                  react again (counting starts now)
  delete <name|id>                  remove it (its firings stay in the event log)`;

interface ApiAutomation {
  id: string;
  name: string;
  enabled: boolean;
  trigger: { type: string; match?: string[]; states?: string[] };
  actions: { type: string }[];
  last_firings: { at: string; done: boolean; actions: { status: string }[] }[];
}

/** Runs an automation subcommand; resolves with the exit code. */
export async function automationCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      file: { type: "string", short: "f" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(AUTOMATION_HELP);
    return 0;
  }
  const client = openClient(cli);
  const ref = () => {
    const value = positionals[0];
    if (!value) throw new UsageError(`Missing the automation name or id.\n\n${AUTOMATION_HELP}`);
    return encodeURIComponent(value);
  };
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  switch (sub) {
    case "ls": {
      const page = await client.request<{ items: ApiAutomation[] }>("GET", "/api/automations");
      const items = page?.items ?? [];
      print(
        items,
        () =>
          items.length === 0
            ? "No automations yet. Create one with: ironflow automation create --file a.yaml"
            : table(
              ["NAME", "ENABLED", "TRIGGER", "ACTIONS", "LAST FIRING"],
              items.map((a) => [
                a.name,
                a.enabled ? "yes" : "no",
                describeTrigger(a.trigger),
                a.actions.map((x) => x.type).join(", "),
                a.last_firings[0]?.at ?? "never",
              ]),
            ),
      );
      return 0;
    }
    case "inspect": {
      const automation = await client.request<ApiAutomation>("GET", `/api/automations/${ref()}`);
      print(automation, () => JSON.stringify(automation, null, 2));
      return 0;
    }
    case "create": {
      const [body] = await readAutomations(cli, values.file, false);
      const created = await client.request<ApiAutomation>("POST", "/api/automations", body);
      print(created, () => `Created automation "${created!.name}" (${created!.id})`);
      return 0;
    }
    case "apply": {
      const bodies = await readAutomations(cli, values.file ?? "ironflow.yaml", true);
      const applied: ApiAutomation[] = [];
      for (const body of bodies) {
        applied.push((await client.request<ApiAutomation>("PUT", "/api/automations/apply", body))!);
      }
      print(applied, () => applied.map((a) => `Applied automation "${a.name}"`).join("\n"));
      return 0;
    }
    case "pause":
    case "resume": {
      const changed = await client.request<ApiAutomation>(
        "POST",
        `/api/automations/${ref()}/${sub}`,
        {},
      );
      print(
        changed,
        () => `Automation "${changed!.name}" ${sub === "pause" ? "paused" : "resumed"}`,
      );
      return 0;
    }
    case "delete": {
      const deleted = await client.request<{ name: string }>("DELETE", `/api/automations/${ref()}`);
      print(deleted, () => `Deleted automation "${deleted!.name}"`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown automation command "${sub}".\n\n${AUTOMATION_HELP}`);
  }
}

function describeTrigger(trigger: ApiAutomation["trigger"]): string {
  if (trigger.type === "run-state") return `run entered ${trigger.states?.join("|")}`;
  return `event ${trigger.match?.join("|")}`;
}

// The server's API, or the same API over the embedded store without a port.
function openClient(cli: CliContext): HttpClient {
  // `--api-url` or IRONFLOW_API_URL, as runCli resolved it for every command.
  const url = cli.apiUrl;
  if (url) {
    const apiKey = cli.apiKey;
    return createHttpClient({ url, ...(apiKey ? { apiKey } : {}) });
  }
  const plane = cli.openPlane();
  const app = createApp({ engine: plane.engine, clock: systemClock });
  return createHttpClient({
    url: "http://localhost",
    fetch: (input, init) => Promise.resolve(app.fetch(new Request(input, init))),
  });
}

// A file holds one automation, or (apply) an "automations:" list, as YAML or JSON.
async function readAutomations(
  cli: CliContext,
  file: string | undefined,
  list: boolean,
): Promise<unknown[]> {
  if (!file) throw new UsageError(`Missing --file.\n\n${AUTOMATION_HELP}`);
  const path = resolve(cli.cwd, file);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read "${path}": ${(error as Error).message}`);
  }
  const doc = parseYaml(text) as unknown;
  if (list && doc !== null && typeof doc === "object" && "automations" in doc) {
    const items = (doc as { automations: unknown }).automations;
    if (!Array.isArray(items)) throw new UsageError(`"automations" in "${path}" must be a list`);
    return items;
  }
  if (list && doc !== null && typeof doc === "object" && "deployments" in doc) {
    throw new UsageError(`"${path}" has no "automations:" list`);
  }
  return [doc];
}
