/**
 * `ironflow server start`: the API, SSE streams and dashboard on the embedded
 * store, until SIGINT/SIGTERM.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv, sqliteOptionsFromEnv } from "../sdk/control_plane.ts";
import { databaseUrlOf } from "./database_url.ts";
import { ironflowHomeDir } from "../sdk/mod.ts";
import { parseAllowedHosts, startServer } from "../server/mod.ts";
import { parseLivenessMs } from "../engine/mod.ts";
import { createRemoteControlPlane } from "../sdk/mod.ts";
import { createLocalDeploymentClient } from "../sdk/deployment_client.ts";
import { engineClaimWake, startWorker } from "../sdk/process_worker.ts";
import { resolve } from "node:path";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

export const SERVER_HELP =
  `Usage: ironflow server start [--host 127.0.0.1] [--port 4200] [--home ./.ironflow]
                             [--pool default] [--queue NAME]... [--no-worker] [--no-services]
                             [--synchronous normal|full] [--skip-integrity-check]
                             [--allowed-hosts name,...] [--database-url postgres://...]

Serves the HTTP API (/api, /api/docs), SSE streams and the dashboard on the
embedded SQLite store in --home (default IRONFLOW_HOME or ./.ironflow).
IRONFLOW_API_KEY, when set, is required as a bearer key on /api/* and to log
in to the dashboard (sessions last IRONFLOW_SESSION_TTL_SECONDS, default 12
hours). The server answers only the Host names localhost, 127.0.0.1, [::1],
--host and those of --allowed-hosts or IRONFLOW_ALLOWED_HOSTS (a proxy's
public name, .domain for subdomains, * for any). Large results of remote
runs are uploaded to --home's results folder, or to the database with
--database-url (at most
IRONFLOW_RESULT_UPLOAD_MAX_BYTES each, default 64 MiB). The services loop creates scheduled runs of deployments, and an
embedded worker on --pool (only its --queue queues when given) runs them in
subprocesses (--no-worker to
run workers separately with "ironflow worker start"; --no-services to leave
the services loop to another server). Stops cleanly on
Ctrl-C / SIGTERM.

--database-url (or IRONFLOW_DATABASE_URL) keeps everything in a PostgreSQL
database instead of the SQLite file: several servers may share it, one of
them runs the services loop at a time (each needs its own IRONFLOW_NODE_ID
when they share a host and port), and the schema is migrated at start. See
docs/production.md.

--synchronous full (or IRONFLOW_SQLITE_SYNCHRONOUS=full) flushes every
commit to the disk, so it also survives a power loss; the default, normal,
survives a crash of the process. The database is checked when the server
starts (PRAGMA quick_check): a damaged one is refused, and
--skip-integrity-check opens it anyway (to export what is readable).

ironflow server services start [--home DIR] [--database-url URL] [--interval-ms N] [--node-id ID]
runs the services loop alone, without an HTTP listener, under the same
leadership lease as servers: pair it with a "server start --no-services"
(see "ironflow server services --help").`;

/** Runs the command; resolves with the exit code once the server stopped. */
export async function serverCommand(
  args: string[],
  cli: CliContext,
  options: { integrityCheck?: boolean } = {},
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "services") {
    const { servicesCommand } = await import("./services_command.ts");
    return await servicesCommand(rest, cli, options);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "4200" },
      home: { type: "string" },
      pool: { type: "string", default: "default" },
      queue: { type: "string", multiple: true, default: [] },
      "allowed-hosts": { type: "string" },
      "no-worker": { type: "boolean", default: false },
      "no-services": { type: "boolean", default: false },
      synchronous: { type: "string" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (sub !== "start" || values.help) {
    if (sub !== "start" && sub !== undefined && sub !== "help" && !values.help) {
      throw new UsageError(`Unknown server command "${sub}".\n\n${SERVER_HELP}`);
    }
    cli.out(SERVER_HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a port number, got "${values.port}"`);
  }
  const store = sqliteOptionsFromEnv({ integrityCheck: options.integrityCheck ?? true });
  if (values.synchronous !== undefined) {
    if (values.synchronous !== "normal" && values.synchronous !== "full") {
      throw new UsageError(`--synchronous must be "normal" or "full", got "${values.synchronous}"`);
    }
    store.synchronous = values.synchronous;
  }
  const databaseUrl = databaseUrlOf(values["database-url"]);
  if (databaseUrl && values.synchronous !== undefined) {
    throw new UsageError("--synchronous applies to the SQLite store, not to --database-url");
  }
  const apiKey = readEnv("IRONFLOW_API_KEY");
  const secretKey = readEnv("IRONFLOW_SECRET_KEY");
  const allowedHosts = [
    ...parseAllowedHosts(readEnv("IRONFLOW_ALLOWED_HOSTS")),
    ...parseAllowedHosts(values["allowed-hosts"]),
  ];
  const sessionTtlMs = sessionTtl(readEnv("IRONFLOW_SESSION_TTL_SECONDS"));
  const eventRetentionMs = eventRetention(readEnv("IRONFLOW_EVENT_RETENTION_DAYS"));
  const livenessMs = parseLivenessMs(readEnv("IRONFLOW_LIVENESS_TIMEOUT_MS"));
  // Filled once the server listens; stopped before the server closes its engine.
  const embedded: { worker?: ReturnType<typeof startWorker> } = {};
  const home = values.home ?? ironflowHomeDir();
  const maxResultBytes = resultLimit(readEnv("IRONFLOW_RESULT_UPLOAD_MAX_BYTES"));
  const servicesIntervalMs = positiveMs("IRONFLOW_SERVICES_INTERVAL_MS");
  const leaderLeaseMs = positiveMs("IRONFLOW_LEADER_LEASE_MS");
  const nodeId = readEnv("IRONFLOW_NODE_ID")?.trim();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      home,
      ...(values["no-services"] ? { services: false } : {}),
      store,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(maxResultBytes !== undefined ? { maxResultBytes } : {}),
      ...(servicesIntervalMs !== undefined ? { servicesIntervalMs } : {}),
      ...(leaderLeaseMs !== undefined ? { leaderLeaseMs } : {}),
      ...(nodeId ? { nodeId } : {}),
      host: values.host,
      port,
      ...(apiKey ? { apiKey } : {}),
      ...(secretKey ? { secretKey } : {}),
      allowedHosts,
      ...(sessionTtlMs !== undefined ? { sessionTtlMs } : {}),
      ...(eventRetentionMs !== undefined ? { eventRetentionMs } : {}),
      ...(livenessMs !== undefined ? { livenessMs } : {}),
      beforeStop: async () => await embedded.worker?.stop(),
      onListen: (addr) =>
        cli.out(`IronFlow is serving the dashboard at http://${addr.hostname}:${addr.port}/`),
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UsageError(
        `Port ${port} on ${values.host} is in use: another server (maybe IronFlow) listens there. ` +
          `Stop it, or pick another port with --port (e.g. --port ${port + 1})`,
      );
    }
    throw error;
  }
  // What this server runs, so no one has to guess.
  cli.out(
    [
      `  home          ${databaseUrl ? "PostgreSQL (--database-url)" : resolve(home)}`,
      `  worker        ${
        values["no-worker"]
          ? "none (--no-worker)"
          : `embedded, on work pool "${values.pool}"${
            values.queue.length > 0
              ? ` (queues ${values.queue.map((q) => `"${q}"`).join(", ")})`
              : ""
          }`
      }`,
      `  services loop ${
        values["no-services"] ? "off (--no-services)" : "on (schedules, late runs, leases)"
      }`,
      `  auth          ${
        apiKey ? "on (IRONFLOW_API_KEY)" : "off: anyone who can reach the port may act"
      }`,
    ].join("\n"),
  );
  // The embedded worker reports through this server's API, like any worker.
  if (!values["no-worker"]) {
    embedded.worker = startWorker({
      client: createLocalDeploymentClient(server.engine),
      plane: createRemoteControlPlane({ url: server.url, ...(apiKey ? { apiKey } : {}) }),
      pool: values.pool,
      ...(values.queue.length > 0 ? { queues: values.queue } : {}),
      // Beside the engine: a run enqueued through any route is claimed at once.
      wake: engineClaimWake(server.engine),
      apiUrl: server.url,
      ...(apiKey ? { env: { IRONFLOW_API_KEY: apiKey } } : {}),
    });
  }
  await server.finished;
  cli.out("IronFlow server stopped");
  return 0;
}

function positiveMs(name: string): number | undefined {
  const text = readEnv(name)?.trim();
  if (text === undefined || text === "") return undefined;
  const ms = Number(text);
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`${name} must be a positive number of milliseconds, got "${text}"`);
  }
  return ms;
}

function resultLimit(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const bytes = Number(text);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(
      `IRONFLOW_RESULT_UPLOAD_MAX_BYTES must be a positive number of bytes, got "${text}"`,
    );
  }
  return bytes;
}

function sessionTtl(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const seconds = Number(text);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new UsageError(
      `IRONFLOW_SESSION_TTL_SECONDS must be a positive number of seconds, got "${text}"`,
    );
  }
  return seconds * 1000;
}

function eventRetention(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const days = Number(text);
  if (!Number.isFinite(days) || days <= 0) {
    throw new UsageError(
      `IRONFLOW_EVENT_RETENTION_DAYS must be a positive number of days, got "${text}"`,
    );
  }
  return Math.round(days * 86_400_000);
}
