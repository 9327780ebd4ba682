/**
 * The PostgreSQL database a command opens: `--database-url`, else
 * `IRONFLOW_DATABASE_URL`, else none (the home's SQLite file).
 *
 * @module
 */
import { databaseUrlFromEnv } from "../sdk/control_plane.ts";
import { UsageError } from "./format.ts";

/** The PostgreSQL database of --database-url, else of IRONFLOW_DATABASE_URL. */
export function databaseUrlOf(flag: string | undefined): string | undefined {
  if (flag === undefined) {
    try {
      return databaseUrlFromEnv();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (!/^postgres(ql)?:\/\//i.test(flag.trim())) {
    throw new UsageError(
      `--database-url must be postgres://user:password@host:port/database, got "${
        flag.split(":")[0]
      }:…"`,
    );
  }
  return flag.trim();
}
