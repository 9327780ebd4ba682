/**
 * `ironflow server start`: the API, SSE streams and dashboard on the embedded
 * store, until SIGINT/SIGTERM.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv } from "../sdk/control_plane.ts";
import { ironflowHomeDir } from "../sdk/mod.ts";
import { startServer } from "../server/mod.ts";
import { createRemoteControlPlane } from "../sdk/mod.ts";
import { createLocalDeploymentClient } from "../sdk/deployment_client.ts";
import { startWorker } from "../sdk/process_worker.ts";
import { createFileResultStore } from "../sdk/results.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

export const SERVER_HELP =
  `Usage: ironflow server start [--host 127.0.0.1] [--port 4200] [--home ./.ironflow]

Serves the HTTP API (/api, /api/docs), SSE streams and the dashboard on the
embedded SQLite store in --home (default IRONFLOW_HOME or ./.ironflow).
IRONFLOW_API_KEY, when set, is required as a bearer key on /api/* and to log
in to the dashboard. Large results of remote runs are uploaded to --home's
results folder (at most IRONFLOW_RESULT_UPLOAD_MAX_BYTES each, default 64
MiB). The services loop creates scheduled runs of deployments, and an
embedded worker on --pool runs them in subprocesses (--no-worker to
run workers separately with "ironflow worker start"). Stops cleanly on
Ctrl-C / SIGTERM.`;

/** Runs the command; resolves with the exit code once the server stopped. */
export async function serverCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "4200" },
      home: { type: "string" },
      pool: { type: "string", default: "default" },
      "no-worker": { type: "boolean", default: false },
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
  const apiKey = readEnv("IRONFLOW_API_KEY");
  // Filled once the server listens; stopped before the server closes its engine.
  const embedded: { worker?: ReturnType<typeof startWorker> } = {};
  const home = values.home ?? ironflowHomeDir();
  // The results folder beside the database, as the SDK writes it: remote
  // clients upload large results into it, and the retention sweep collects it.
  const results = createFileResultStore(`${home}/results`);
  const maxResultBytes = resultLimit(readEnv("IRONFLOW_RESULT_UPLOAD_MAX_BYTES"));
  const server = await startServer({
    home,
    results,
    ...(maxResultBytes !== undefined ? { maxResultBytes } : {}),
    host: values.host,
    port,
    ...(apiKey ? { apiKey } : {}),
    beforeClose: async () => await embedded.worker?.stop(),
    onListen: (addr) =>
      cli.out(`IronFlow is serving the dashboard at http://${addr.hostname}:${addr.port}/`),
  });
  // The embedded worker reports through this server's API, like any worker.
  if (!values["no-worker"]) {
    embedded.worker = startWorker({
      client: createLocalDeploymentClient(server.engine),
      plane: createRemoteControlPlane({ url: server.url, ...(apiKey ? { apiKey } : {}) }),
      pool: values.pool,
      apiUrl: server.url,
      ...(apiKey ? { env: { IRONFLOW_API_KEY: apiKey } } : {}),
    });
  }
  await server.finished;
  cli.out("IronFlow server stopped");
  return 0;
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
