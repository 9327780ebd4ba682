/**
 * `ironflow db export|import|rebuild|migrate|copy`: the event log as JSON
 * lines, projections rebuilt from it, schema migrations and a copy of a
 * SQLite home into PostgreSQL (`db_copy.ts`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dbCopy, dbMigrate } from "./db_copy.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

export const DB_HELP = `Usage: ironflow db <command>

Commands:
  export [--out FILE]   write the event log as JSON lines (stdout by default)
  import <FILE>         append a JSON-lines event log, then rebuild projections
  rebuild               rebuild run projections from the event log
  migrate [--database-url URL] [--home DIR]
                        bring the database to this build's schema (PostgreSQL with a
                        URL or IRONFLOW_DATABASE_URL, else the SQLite home); servers
                        also migrate when they start
  copy --to URL [--home DIR]
                        copy the SQLite home (events, runs, logs, documents, limits,
                        result files) into an empty PostgreSQL database and compare
                        the counts`;

/** Runs a db subcommand; resolves with the exit code. */
export async function dbCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      out: { type: "string" },
      to: { type: "string" },
      home: { type: "string" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || values.help || sub === "help") {
    cli.out(DB_HELP);
    return 0;
  }
  if ((sub === "migrate" || sub === "copy") && (values.out !== undefined || positionals.length)) {
    throw new UsageError(`db ${sub} takes no --out and no file.\n\n${DB_HELP}`);
  }
  if (sub === "migrate") return dbMigrate(values["database-url"], values.home, cli);
  if (sub === "copy") return await dbCopy(values.to, values.home, cli);
  for (const flag of ["to", "home", "database-url"] as const) {
    if (values[flag] !== undefined) {
      throw new UsageError(`--${flag} applies to db migrate and db copy`);
    }
  }
  const plane = cli.openPlane();
  switch (sub) {
    case "export": {
      if (values.out) {
        using file = await Deno.open(values.out, { write: true, create: true, truncate: true });
        const encoder = new TextEncoder();
        let count = 0;
        for (const line of plane.engine.exportEvents()) {
          await file.write(encoder.encode(line + "\n"));
          count += 1;
        }
        cli.err(`Exported ${count} events to ${values.out}`);
      } else {
        for (const line of plane.engine.exportEvents()) cli.out(line);
      }
      return 0;
    }
    case "import": {
      const path = positionals[0];
      if (!path) throw new UsageError(`Missing the file to import.\n\n${DB_HELP}`);
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (cause) {
        throw new UsageError(`Cannot read "${path}": ${(cause as Error).message}`);
      }
      const count = plane.engine.importEvents(text.split("\n"));
      cli.out(`Imported ${count} events and rebuilt projections`);
      return 0;
    }
    case "rebuild": {
      plane.engine.rebuildProjections();
      const summary = plane.engine.summary();
      cli.out(
        `Rebuilt ${summary.flowRuns} flow runs and ${summary.taskRuns} task runs from ${summary.events} events`,
      );
      return 0;
    }
    default:
      throw new UsageError(`Unknown db command "${sub}".\n\n${DB_HELP}`);
  }
}
