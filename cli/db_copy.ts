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
import { createPostgresResultStore } from "../sdk/postgres_results.ts";
import { createFileResultStore } from "../sdk/results.ts";
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

/**
 * `ironflow db copy --to URL`: copies the SQLite home into an empty
 * PostgreSQL database, then the result files of its `results` folder into
 * the database's result table.
 */
export async function dbCopy(
  to: string | undefined,
  home: string | undefined,
  cli: CliContext,
): Promise<number> {
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
      const results = await copyResults(`${dir}/results`, url);
      cli.err("copied results");
      cli.out(countsTable(report.source, report.target, results));
      if (results.copied !== results.files) report.mismatches.push("results");
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

// Copies every result file of `folder` into the database's result table,
// checking each one's content address on the way.
async function copyResults(
  folder: string,
  url: string,
): Promise<{ files: number; copied: number }> {
  const files = createFileResultStore(folder);
  const target = createPostgresResultStore(url);
  let count = 0;
  let copied = 0;
  try {
    for await (const { ref } of files.files!.list()) {
      count++;
      const bytes = await files.get(ref);
      if (bytes && await target.put(bytes) === ref) copied++;
    }
  } finally {
    await target.close();
  }
  return { files: count, copied };
}

function countsTable(
  source: StoreCounts,
  target: StoreCounts,
  results: { files: number; copied: number },
): string {
  const rows: [string, number, number][] = [
    ["results", results.files, results.copied],
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
