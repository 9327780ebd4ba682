/**
 * `ironflow server services start`: the services loop (schedules, late runs,
 * lease reclaim, the reaper, retention and automations) without an HTTP
 * listener. It takes part in the same leadership lease as servers, so a
 * `server start --no-services` serves the API while this process does the
 * background work, and two of them on one database never both lead.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { parseLivenessMs, systemClock } from "../engine/mod.ts";
import { readEnv, sqliteOptionsFromEnv } from "../sdk/control_plane.ts";
import { ironflowHomeDir } from "../sdk/mod.ts";
import { openHome } from "../sdk/home.ts";
import { startServices, type TickReport } from "../server/mod.ts";
import { UsageError } from "./format.ts";
import { databaseUrlOf } from "./database_url.ts";
import type { CliContext } from "./io.ts";

export const SERVICES_HELP =
  `Usage: ironflow server services start [--home ./.ironflow] [--database-url postgres://...]
                                      [--interval-ms 5000] [--node-id ID]

Runs the services loop alone, without an HTTP listener: scheduled runs of
deployments, late runs, expired claims, the reaper of runs whose executor
died, retention sweeps and automations. It shares the leadership lease with
servers on the same database (the SQLite file of --home, or --database-url /
IRONFLOW_DATABASE_URL): one of them leads at a time and another takes over
when the leader stops or its lease expires. Pair it with
"ironflow server start --no-services" to keep the API and the background
work in separate processes.

--interval-ms (or IRONFLOW_SERVICES_INTERVAL_MS) is the time between ticks;
the lease lasts IRONFLOW_LEADER_LEASE_MS, by default three ticks. --node-id
(or IRONFLOW_NODE_ID) names this process in the lease (default
<hostname>:services:<pid>). Stops cleanly on Ctrl-C / SIGTERM, handing the
lease over at once.`;

/** Runs `server services <sub>`; resolves with the exit code once the loop stopped. */
export async function servicesCommand(
  args: string[],
  cli: CliContext,
  options: { integrityCheck?: boolean } = {},
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || ["help", "--help", "-h"].includes(sub)) {
    cli.out(SERVICES_HELP);
    return 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      home: { type: "string" },
      "database-url": { type: "string" },
      "interval-ms": { type: "string" },
      "node-id": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (sub !== "start") {
    throw new UsageError(`Unknown server services command "${sub}".\n\n${SERVICES_HELP}`);
  }
  if (values.help) {
    cli.out(SERVICES_HELP);
    return 0;
  }
  const databaseUrl = databaseUrlOf(values["database-url"]);
  const intervalMs = positiveMs(
    values["interval-ms"] !== undefined ? "--interval-ms" : "IRONFLOW_SERVICES_INTERVAL_MS",
    values["interval-ms"] ?? readEnv("IRONFLOW_SERVICES_INTERVAL_MS"),
  );
  const leaderLeaseMs = positiveMs("IRONFLOW_LEADER_LEASE_MS", readEnv("IRONFLOW_LEADER_LEASE_MS"));
  const livenessMs = parseLivenessMs(readEnv("IRONFLOW_LIVENESS_TIMEOUT_MS"));
  const nodeId = values["node-id"]?.trim() || readEnv("IRONFLOW_NODE_ID")?.trim() ||
    `${hostname()}:services:${Deno.pid}`;
  const homeDir = values.home ?? ironflowHomeDir();
  // The same storage a server on this home opens: the retention sweep collects its results.
  const home = openHome({
    home: homeDir,
    databaseUrl,
    sqlite: sqliteOptionsFromEnv({ integrityCheck: options.integrityCheck ?? true }),
    livenessMs,
  });
  const { engine, results } = home;
  cli.out(
    [
      "IronFlow services loop started (no HTTP listener)",
      `  home          ${databaseUrl ? "PostgreSQL (--database-url)" : resolve(homeDir)}`,
      `  node          ${nodeId}`,
      `  services      schedules, late runs, claims, reaper, retention, automations`,
      `  interval      ${intervalMs ?? 5_000} ms`,
    ].join("\n"),
  );
  const controller = new AbortController();
  let leading: boolean | undefined;
  const services = startServices({
    engine,
    clock: systemClock,
    signal: controller.signal,
    holder: nodeId,
    onTick: (report) => {
      if (report.leader === leading) return;
      leading = report.leader;
      cli.out(leadershipLine(nodeId, report, services.scheduler.lease()?.holder));
    },
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(leaderLeaseMs !== undefined ? { leaderLeaseMs } : {}),
    ...(results.files ? { resultFiles: results.files } : {}),
  });
  const stop = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  await new Promise<void>((done) =>
    controller.signal.addEventListener("abort", () => done(), { once: true })
  );
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  // Waits for the tick in progress, then releases the lease.
  await services.stop();
  await home.close();
  cli.out("IronFlow services loop stopped (lease released)");
  return 0;
}

/** The line printed when this node starts or stops leading. */
export function leadershipLine(
  nodeId: string,
  report: Pick<TickReport, "leader" | "tookOverFrom">,
  holder: string | undefined,
): string {
  if (report.leader) {
    const from = report.tookOverFrom ? ` (took over from ${report.tookOverFrom})` : "";
    return `IronFlow services loop: node ${nodeId} leads${from}`;
  }
  return `IronFlow services loop: node ${nodeId} stands by${
    holder && holder !== nodeId ? ` while ${holder} leads` : ""
  }`;
}

function positiveMs(name: string, text: string | undefined): number | undefined {
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === "") return undefined;
  const ms = Number(trimmed);
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`${name} must be a positive number of milliseconds, got "${trimmed}"`);
  }
  return ms;
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}
