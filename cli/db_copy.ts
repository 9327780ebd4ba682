/**
 * `ironflow db migrate` and `ironflow db copy --to postgres://…`: the
 * commands that bring a database to this build's schema and move a SQLite
 * home into PostgreSQL.
 *
 * @module
 */
import {
  copyStore,
  createEngine,
  createIdSource,
  createPostgresStore,
  createSqliteStore,
  isPostgresUrl,
  migratePostgres,
  PG_SCHEMA_VERSION,
  SCHEMA_VERSION,
  sqliteDocumentCollections,
  type StoreCounts,
  systemClock,
} from "../engine/mod.ts";
import { databaseUrlFromEnv } from "../sdk/control_plane.ts";
import { ironflowHomeDir } from "../sdk/mod.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

/** `ironflow db migrate`: the database of `url` (or IRONFLOW_DATABASE_URL), else the SQLite home. */
export function dbMigrate(
  url: string | undefined,
  home: string | undefined,
  cli: CliContext,
): number {
  const database = checkedUrl(url, "--database-url") ?? envUrl();
  if (database) {
    const applied = migratePostgres(database);
    cli.out(
      applied.length === 0
        ? `PostgreSQL schema is up to date (version ${PG_SCHEMA_VERSION})`
        : `Migrated PostgreSQL schema to version ${PG_SCHEMA_VERSION} (applied ${
          applied.join(", ")
        })`,
    );
    return 0;
  }
  const dir = home ?? ironflowHomeDir();
  Deno.mkdirSync(dir, { recursive: true });
  // Opening the SQLite store migrates it.
  createSqliteStore(`${dir}/ironflow.db`).close();
  cli.out(`SQLite schema of ${dir}/ironflow.db is at version ${SCHEMA_VERSION}`);
  return 0;
}

/** `ironflow db copy --to URL`: copies the SQLite home into an empty PostgreSQL database. */
export function dbCopy(to: string | undefined, home: string | undefined, cli: CliContext): number {
  const url = checkedUrl(to, "--to");
  if (!url) throw new UsageError("Missing --to postgres://user:password@host:port/database");
  const dir = home ?? ironflowHomeDir();
  const path = `${dir}/ironflow.db`;
  try {
    Deno.statSync(path);
  } catch {
    throw new UsageError(`No SQLite database at "${path}": pass --home or set IRONFLOW_HOME`);
  }
  const source = createSqliteStore(path);
  try {
    const target = createPostgresStore(url);
    try {
      const engine = createEngine({ store: target, clock: systemClock, ids: createIdSource() });
      const report = copyStore(source, target, {
        collections: sqliteDocumentCollections(path),
        rebuild: () => engine.rebuildProjections(),
        onProgress: (step) => cli.err(`copied ${step}`),
      });
      cli.out(countsTable(report.source, report.target));
      if (report.mismatches.length > 0) {
        cli.err(`Copy incomplete: ${report.mismatches.join(", ")} differ`);
        return 1;
      }
      cli.out(`Copied ${path} to PostgreSQL; every count matches`);
      return 0;
    } finally {
      target.close();
    }
  } finally {
    source.close();
  }
}

function countsTable(source: StoreCounts, target: StoreCounts): string {
  const rows: [string, number, number][] = [
    ["events", source.events, target.events],
    ["last seq", source.lastSeq, target.lastSeq],
    ["flow runs", source.flowRuns, target.flowRuns],
    ["task runs", source.taskRuns, target.taskRuns],
    ["log lines", source.logs, target.logs],
    ["limits", source.limits, target.limits],
    ...Object.entries(source.documents).map(([collection, n]): [string, number, number] => [
      `documents ${collection}`,
      n,
      target.documents[collection] ?? 0,
    ]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `${"".padEnd(width)}  sqlite  postgres`,
    ...rows.map(([name, a, b]) =>
      `${name.padEnd(width)}  ${String(a).padStart(6)}  ${String(b).padStart(8)}`
    ),
  ].join("\n");
}

function checkedUrl(url: string | undefined, flag: string): string | undefined {
  if (url === undefined) return undefined;
  if (!isPostgresUrl(url.trim())) {
    throw new UsageError(`${flag} must be postgres://user:password@host:port/database`);
  }
  return url.trim();
}

function envUrl(): string | undefined {
  try {
    return databaseUrlFromEnv();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
