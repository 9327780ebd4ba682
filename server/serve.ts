/**
 * Serving the app with `Deno.serve`, and the whole server on a home's storage
 * (SQLite or PostgreSQL) with graceful shutdown on SIGINT/SIGTERM.
 *
 * @module
 */
import {
  SECRET_COLLECTION,
  SecretCipher,
  SecretKeyError,
  SecretService,
} from "../engine/secrets/mod.ts";
import type { Hono } from "hono";
import { type Engine, type SqliteStoreOptions, systemClock } from "../engine/mod.ts";
import { openHome } from "../sdk/home.ts";
import { createApp } from "./app.ts";
import type { ResultBlobs } from "./deps.ts";
import { startServices, type TickReport } from "./services/services_loop.ts";
import { StorageHealth } from "./storage_health.ts";

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** `0` picks a free port. @default 4200 */
  port?: number;
  /** Aborting it shuts the server down gracefully: in-flight requests finish first. */
  signal?: AbortSignal;
  /** Called once listening. @default prints the URL to stdout */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running server. */
export interface ServerHandle {
  readonly addr: Deno.NetAddr;
  /** `http://host:port` */
  readonly url: string;
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
  /** Stops accepting connections and resolves once in-flight requests finished. */
  shutdown(): Promise<void>;
}

/**
 * Serves `app`. Give `createApp()` the same `signal` so open SSE streams end
 * when it aborts; otherwise they hold the shutdown until their clients leave.
 */
export function serve(app: Hono, options: ServeOptions = {}): ServerHandle {
  const server = Deno.serve({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 4200,
    onListen: options.onListen ??
      ((addr) => console.log(`IronFlow server listening on ${urlOf(addr)}`)),
  }, app.fetch);
  let stopping: Promise<void> | undefined;
  const shutdown = () => stopping ??= server.shutdown().then(() => server.finished);
  options.signal?.addEventListener("abort", () => void shutdown(), { once: true });
  if (options.signal?.aborted) void shutdown();
  const addr = server.addr as Deno.NetAddr;
  return { addr, url: urlOf(addr), finished: server.finished, shutdown };
}

/** Options of {@linkcode startServer}. */
export interface StartServerOptions {
  /** Folder of `ironflow.db`; created if missing. */
  home: string;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 4200 */
  port?: number;
  /** Require `Authorization: Bearer <apiKey>` on `/api/*`. */
  apiKey?: string;
  /** `IRONFLOW_SECRET_KEY`: encrypts secrets; required once the store holds any. */
  secretKey?: string;
  /**
   * Host names to answer besides the loopback names and `host` itself (see
   * `AppDeps.allowedHosts`); a proxy's public name goes here. When `host` is
   * a wildcard (`0.0.0.0`, `::`), the machine's interface addresses are
   * added. @default []
   */
  allowedHosts?: readonly string[];
  /** How long a dashboard session lasts, in ms. @default 43_200_000 (12 hours) */
  sessionTtlMs?: number;
  /** SSE heartbeat interval. @default 15_000 */
  heartbeatMs?: number;
  /** How long custom events are kept, in ms. @default 604_800_000 (7 days) */
  eventRetentionMs?: number;
  /** Run the services loop (schedules, late runs, lease reclaim, stale workers). @default true */
  services?: boolean;
  /** Time between services ticks. @default 5_000 */
  servicesIntervalMs?: number;
  /** How long the services leader lease lasts without renewal. @default 3 × `servicesIntervalMs` */
  leaderLeaseMs?: number;
  /**
   * This server's identity in the services leader lease: a restart with the
   * same identity takes the lease back at once. Two servers running at the
   * same time on one database need different ones.
   * @default `<hostname>:<port>`
   */
  nodeId?: string;
  /** Settings of the SQLite store (synchronous, integrity check at open). */
  store?: SqliteStoreOptions;
  /**
   * A PostgreSQL database (`postgres://user:password@host:port/database`) to
   * keep runs and large results in instead of `home`'s SQLite file and
   * results folder: several servers may share it.
   */
  databaseUrl?: string;
  /**
   * Where remote clients upload large results (`PUT /api/results/{ref}`) and
   * the services loop's retention sweep collects them.
   * @default the home's: its `results` folder, or the database's `results` table
   */
  results?: ResultBlobs;
  /** Largest result a remote client may upload, in bytes. @default 64 MiB */
  maxResultBytes?: number;
  /**
   * Called on shutdown while the server still answers (stop an embedded
   * worker here: its runs' last states and logs go through this server's
   * API), then requests finish and the engine closes.
   */
  beforeStop?: () => Promise<unknown>;
  /**
   * How long a flow run may go without a heartbeat before the services loop
   * ends it CRASHED. @default 60_000
   */
  livenessMs?: number;
  /** Shut down on SIGINT and SIGTERM. @default true */
  handleSignals?: boolean;
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running server with its engine; `shutdown()` stops both. */
export interface RunningServer extends ServerHandle {
  /** The engine the server runs on (for an embedded worker beside it). */
  readonly engine: Engine;
}

/**
 * Opens the engine on `${home}/ironflow.db`, serves the app and, on
 * SIGINT/SIGTERM or `shutdown()`, ends SSE streams, lets in-flight requests
 * finish and closes the engine. Warns on stderr when binding beyond loopback
 * without an API key.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && !options.apiKey) {
    console.error(
      `Warning: IronFlow server binds to ${host} without an API key: anyone who can reach it ` +
        "can read and change runs. Set IRONFLOW_API_KEY.",
    );
  }
  const home = openHome({
    home: options.home,
    databaseUrl: options.databaseUrl,
    ...(options.store ? { sqlite: options.store } : {}),
    clock: systemClock,
    livenessMs: options.livenessMs,
  });
  const { engine } = home;
  const results = options.results ?? home.results;
  // A refused key stops the start: the home is closed again, not left open.
  const secretCipher = await checkSecretKey(engine, options.secretKey).catch(async (error) => {
    await home.close();
    throw error;
  });
  const controller = new AbortController();
  const storageHealth = new StorageHealth(systemClock);
  const app = createApp({
    engine,
    clock: systemClock,
    storageHealth,
    signal: controller.signal,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(secretCipher ? { secretCipher } : {}),
    allowedHosts: servedHosts(host, options.allowedHosts ?? []),
    ...(options.sessionTtlMs !== undefined ? { sessionTtlMs: options.sessionTtlMs } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.eventRetentionMs !== undefined
      ? { eventRetentionMs: options.eventRetentionMs }
      : {}),
    results,
    ...(options.maxResultBytes !== undefined ? { maxResultBytes: options.maxResultBytes } : {}),
  });
  const handle = serve(app, {
    host,
    port: options.port ?? 4200,
    signal: controller.signal,
    ...(options.onListen ? { onListen: options.onListen } : {}),
  });
  // Runs written by other processes on the same file (CLI runs) reach SSE subscribers too.
  const stopTailing = engine.tailExternalEvents(250);
  const nodeId = options.nodeId ?? `${hostname()}:${handle.addr.port}`;
  let leading = false;
  const onTick = (report: TickReport) => {
    // The leader's tick wrote its lease: the store takes writes again.
    if (report.leader) storageHealth.recovered();
    if (report.leader !== leading) {
      leading = report.leader;
      const from = report.tookOverFrom ? ` (took over from ${report.tookOverFrom})` : "";
      console.log(
        leading
          ? `IronFlow services loop: node ${nodeId} leads${from}`
          : `IronFlow services loop: node ${nodeId} no longer leads`,
      );
    }
  };
  const services = options.services === false ? undefined : startServices({
    engine,
    clock: systemClock,
    signal: controller.signal,
    holder: nodeId,
    onTick,
    // A storage fault is logged once by StorageHealth, not every tick.
    onError: (error) => storageHealth.report(error) ?? console.error(error),
    ...(options.servicesIntervalMs !== undefined ? { intervalMs: options.servicesIntervalMs } : {}),
    ...(options.leaderLeaseMs !== undefined ? { leaderLeaseMs: options.leaderLeaseMs } : {}),
    ...(results.files ? { resultFiles: results.files } : {}),
    ...(secretCipher ? { secretCipher } : {}),
  });

  // Whoever reports through this server (an embedded worker) stops first,
  // while it still listens; a second signal during that stops at once.
  let stopping = false;
  const stop = () => {
    if (stopping || !options.beforeStop) return controller.abort();
    stopping = true;
    options.beforeStop().catch((error) => console.error(error)).finally(() => controller.abort());
  };
  const signals: Deno.Signal[] = options.handleSignals === false
    ? []
    : Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  const finished = handle.finished.then(async () => {
    stopTailing();
    await services?.stop();
    // Closed without stop() (the listener ended by itself): still nothing runs on a closed engine.
    if (!stopping) await options.beforeStop?.().catch((error) => console.error(error));
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
    await home.close();
  });
  return {
    engine,
    addr: handle.addr,
    url: handle.url,
    finished,
    async shutdown() {
      stop();
      await finished;
    },
  };
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  return bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** `allowed` plus the names clients reach a server bound to `host` by. */
export function servedHosts(host: string, allowed: readonly string[]): string[] {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const literal = (address: string) => address.includes(":") ? `[${address}]` : address;
  if (bare !== "0.0.0.0" && bare !== "::") return [...allowed, literal(bare)];
  let addresses: string[] = [];
  try {
    addresses = Deno.networkInterfaces().map((i) => literal(i.address.replace(/%.*$/, "")));
  } catch {
    // Without --allow-sys: only the allowlist and loopback names are served.
  }
  return [...allowed, ...addresses];
}

function urlOf(addr: Deno.NetAddr): string {
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return `http://${host}:${addr.port}`;
}

/**
 * The cipher of `secretKey`, after checking it opens the stored secrets:
 * with secrets but no key, or a key that is not theirs, the server does not
 * start (and changes nothing).
 */
async function checkSecretKey(
  engine: Engine,
  secretKey: string | undefined,
): Promise<SecretCipher | undefined> {
  try {
    const cipher = secretKey ? await SecretCipher.fromKey(secretKey) : undefined;
    const first = engine.reader.listDocuments({ collection: SECRET_COLLECTION, limit: 1 })[0];
    if (first && !cipher) {
      throw new SecretKeyError(
        "The store holds secrets but IRONFLOW_SECRET_KEY is not set: set the key they were stored with",
        { code: "secret_key_missing" },
      );
    }
    if (first && cipher) {
      await new SecretService({ engine, clock: systemClock, cipher }).reveal(first.key);
    }
    return cipher;
  } catch (error) {
    await engine.close();
    throw error;
  }
}
