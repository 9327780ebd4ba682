/**
 * Run loggers: log lines linked to the current flow or task run, stored by
 * the control plane. Outside a run they go to stderr.
 *
 * @module
 */
import { LogLevel, type LogLevelName } from "../engine/mod.ts";
import { currentContext, type InternalContext } from "./context.ts";

/** A logger with Python-logging levels. */
export interface RunLogger {
  debug(...parts: unknown[]): void;
  info(...parts: unknown[]): void;
  warning(...parts: unknown[]): void;
  /** Alias of `warning`. */
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
  critical(...parts: unknown[]): void;
  log(level: LogLevelName, ...parts: unknown[]): void;
}

/** Formats log arguments like `console.log` does, simply. */
function formatParts(parts: readonly unknown[]): string {
  return parts.map((part) => {
    if (typeof part === "string") return part;
    if (part instanceof Error) return part.stack ?? `${part.name}: ${part.message}`;
    try {
      return JSON.stringify(part) ?? String(part);
    } catch {
      return String(part);
    }
  }).join(" ");
}

/** Writes one line for `context` (or to stderr without one). */
export function writeLog(
  context: InternalContext | undefined,
  level: number,
  message: string,
  name = "ironflow",
): void {
  if (!context) {
    const label = Object.entries(LogLevel).find(([, value]) => value === level)?.[0] ?? level;
    originalConsole.error(`${label} ${name}: ${message}`);
    return;
  }
  context.plane.log([{
    flowRunId: context.flowRun.id,
    taskRunId: context.taskRun?.id ?? null,
    level,
    message,
    at: context.plane.timer.now(),
    name,
  }]);
}

/**
 * The logger of the current run: lines are stored with the run (flow run
 * and task run ids). Outside a run it prints to stderr.
 *
 * @example
 * ```ts
 * import { getRunLogger, task } from "./mod.ts";
 * const load = task(async (rows: number) => { getRunLogger().info("loading", rows, "rows"); });
 * ```
 */
export function getRunLogger(name?: string): RunLogger {
  const context = currentContext();
  const loggerName = name ?? (context?.taskRun ? "ironflow.task" : "ironflow.flow");
  const at = (level: number) => (...parts: unknown[]) =>
    writeLog(context, level, formatParts(parts), loggerName);
  return {
    debug: at(LogLevel.DEBUG),
    info: at(LogLevel.INFO),
    warning: at(LogLevel.WARNING),
    warn: at(LogLevel.WARNING),
    error: at(LogLevel.ERROR),
    critical: at(LogLevel.CRITICAL),
    log(level, ...parts) {
      const value = LogLevel[level];
      if (value === undefined) throw new RangeError(`Unknown log level "${level}"`);
      writeLog(context, value, formatParts(parts), loggerName);
    },
  };
}

const originalConsole = {
  log: console.log.bind(console),
  info: console.info.bind(console),
  error: console.error.bind(console),
};

let printsCaptured = false;

/**
 * Set to "1" by a worker for its run processes: their stdout already becomes
 * the run's logs, so a captured print must not be printed as well.
 */
export const STDOUT_LOGGED_ENV = "IRONFLOW_STDOUT_LOGGED";

function stdoutIsLogged(): boolean {
  try {
    return Deno.env.get(STDOUT_LOGGED_ENV) === "1";
  } catch {
    return false; // no env permission: not a worker's run process
  }
}

/**
 * Routes `console.log`/`console.info` inside runs with `logPrints: true` to the
 * run's log. They still print, except in a worker's run process, whose stdout
 * the worker stores as logs too: there the run's copy (with its task run) is
 * the one kept. Installed once, on first use.
 */
export function captureConsolePrints(): void {
  if (printsCaptured) return;
  printsCaptured = true;
  const stdoutLogged = stdoutIsLogged();
  for (const method of ["log", "info"] as const) {
    const original = originalConsole[method];
    console[method] = (...parts: unknown[]) => {
      const context = currentContext();
      if (context?.logPrints) {
        writeLog(context, LogLevel.INFO, formatParts(parts), "ironflow.print");
        if (stdoutLogged) return;
      }
      original(...parts);
    };
  }
}
