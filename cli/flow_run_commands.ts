/**
 * `ironflow flow-run ls|inspect|logs|events|cancel|pause|resume|retry`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  InvalidInputError,
  IronFlowError,
  isStateType,
  type Json,
  LogLevel,
  type RunRecord,
  type StateType,
} from "../engine/mod.ts";
import { retryFlowRun } from "../sdk/mod.ts";
import { loadFlow } from "./load_flow.ts";
import { duration, table, time, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

export const FLOW_RUN_HELP = `Usage: ironflow flow-run <command> [options]

Commands:
  ls [--state S]... [--flow NAME] [--limit N] [--json]   list flow runs, newest first
  inspect <id> [--json]                                   one run with its task runs
  logs <id> [--level LEVEL] [--json]                      log lines of a run
  events <id> [--json]                                    state history of a run
  cancel <id> [--reason TEXT]                             cancel a run
  pause <id> --mode drain|terminate                       pause a RUNNING run
  resume <id> [--input JSON]                              resume a PAUSED run; a run that
                                                          waits for input needs --input
  retry <id>                                              queue a new attempt of a
                                                          deployment run for its work pool
  retry <id> --module <module>[:flow]                     run a new attempt here, restoring
                                                          completed task runs`;

/** Runs a flow-run subcommand; resolves with the exit code. */
export function flowRunCommand(args: string[], cli: CliContext): number | Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      state: { type: "string", multiple: true, default: [] },
      flow: { type: "string" },
      limit: { type: "string", default: "20" },
      level: { type: "string" },
      module: { type: "string" },
      mode: { type: "string" },
      input: { type: "string" },
      reason: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || values.help || sub === "help") {
    cli.out(FLOW_RUN_HELP);
    return 0;
  }
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  const plane = cli.openPlane();
  const engine = plane.engine;
  const needId = () => {
    const id = positionals[0];
    if (!id) throw new UsageError(`Missing the flow run id.\n\n${FLOW_RUN_HELP}`);
    const run = engine.getRun(id);
    if (!run || run.kind !== "flow") throw new UsageError(`Flow run "${id}" does not exist`);
    return run;
  };
  switch (sub) {
    case "ls": {
      const states = values.state.map((s) => s.toUpperCase());
      const bad = states.find((s) => !isStateType(s));
      if (bad) throw new UsageError(`Unknown state "${bad}"`);
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new UsageError(
          `--limit must be a whole number from 1 to 1000, got "${values.limit}"`,
        );
      }
      const page = engine.listRuns({
        kind: "flow",
        states: states as StateType[],
        ...(values.flow ? { flowName: values.flow } : {}),
        limit,
      });
      print(
        page.items,
        () =>
          page.items.length === 0
            ? "No flow runs yet. Run one with: ironflow run <module>[:flow]"
            : table(
              ["ID", "NAME", "FLOW", "STATE", "STARTED", "DURATION"],
              page.items.map((
                run,
              ) => [
                run.id,
                run.runName,
                run.name,
                stateLabel(run),
                time(run.startTime),
                duration(runDuration(run)),
              ]),
            ),
      );
      return 0;
    }
    case "inspect": {
      const run = needId();
      const tasks = engine.listRuns({
        kind: "task",
        parentId: run.id,
        sort: "created",
        order: "asc",
        limit: 1000,
      }).items;
      print({ ...run, taskRuns: tasks }, () =>
        [
          `Flow run  ${run.runName} (${run.id})`,
          `Flow      ${run.name}`,
          `State     ${stateLabel(run)}${run.message ? ` — ${run.message}` : ""}`,
          `Started   ${time(run.startTime)}`,
          `Duration  ${duration(runDuration(run))}`,
          `Params    ${JSON.stringify(run.parameters)}`,
          `Parent    ${run.parentId ?? "-"}`,
          "",
          tasks.length === 0 ? "No task runs." : table(
            ["TASK RUN", "TASK", "STATE", "RUNS", "DURATION"],
            tasks.map((
              t,
            ) => [t.runName, t.name, stateLabel(t), t.runCount, duration(runDuration(t))]),
          ),
        ].join("\n"));
      return 0;
    }
    case "logs": {
      const run = needId();
      const minLevel = values.level
        ? LogLevel[values.level.toUpperCase() as keyof typeof LogLevel]
        : undefined;
      if (values.level && minLevel === undefined) {
        throw new UsageError(`Unknown log level "${values.level}"`);
      }
      const logs = engine.logs({
        flowRunId: run.id,
        ...(minLevel !== undefined ? { minLevel } : {}),
        limit: 10_000,
      });
      const levelName = (level: number) =>
        Object.entries(LogLevel).find(([, v]) => v === level)?.[0] ?? String(level);
      print(
        logs,
        () =>
          logs.length === 0
            ? "No log lines."
            : logs.map((log) => `${time(log.at)} ${levelName(log.level).padEnd(8)} ${log.message}`)
              .join("\n"),
      );
      return 0;
    }
    case "events": {
      const run = needId();
      const ids = [
        run.id,
        ...engine.listRuns({ kind: "task", parentId: run.id, limit: 1000 }).items.map((t) => t.id),
      ];
      const events = ids.flatMap((id) => engine.events(id)).sort((a, b) => a.seq - b.seq);
      print(
        events,
        () =>
          historyTable(events, (id) => id === run.id ? "flow" : engine.getRun(id)?.runName ?? id),
      );
      return 0;
    }
    case "cancel": {
      const run = needId();
      return operatorAction(() =>
        plane.actions.cancel(run.id, values.reason !== undefined ? { reason: values.reason } : {})
      ).then(({ run: after }) => {
        cli.out(`Flow run ${run.id} is ${after.state}`);
        return 0;
      });
    }
    case "pause": {
      const run = needId();
      const mode = values.mode;
      if (mode !== "drain" && mode !== "terminate") {
        throw new UsageError(`Pass --mode drain or --mode terminate.\n\n${FLOW_RUN_HELP}`);
      }
      return operatorAction(() => plane.actions.pause(run.id, { mode })).then(({ run: after }) => {
        cli.out(`Flow run ${run.id} is ${after.state} (${after.stateName})`);
        return 0;
      });
    }
    case "resume": {
      const run = needId();
      let input: Json | undefined;
      if (values.input !== undefined) {
        try {
          input = JSON.parse(values.input) as Json;
        } catch (error) {
          throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`);
        }
      }
      return operatorAction(() =>
        plane.actions.resume(run.id, input !== undefined ? { input } : {})
      ).then(({ run: after }) => {
        cli.out(`Flow run ${run.id} is ${after.state}`);
        return 0;
      });
    }
    case "retry": {
      const run = needId();
      if (!values.module) {
        return operatorAction(() => plane.actions.retry(run.id)).then((attempt) => {
          print(
            { run_id: attempt.id, attempt: attempt.attempt, state: attempt.state },
            () =>
              `Attempt ${attempt.attempt} of ${run.runName}: flow run ${attempt.id} ${attempt.state}`,
          );
          return 0;
        });
      }
      const reference = values.module;
      return loadFlow(reference, cli.cwd).then(async (loaded) => {
        let outcome;
        try {
          outcome = await retryFlowRun(run.id, { plane, flow: loaded.flow as never });
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        const attempt = engine.getRun(outcome.runId);
        print(
          { run_id: outcome.runId, attempt: attempt?.attempt, state: outcome.state.type },
          () =>
            `Attempt ${attempt?.attempt} of ${run.runName}: flow run ${outcome.runId} ${outcome.state.type}`,
        );
        return outcome.state.type === "COMPLETED" ? 0 : 1;
      });
    }
    default:
      throw new UsageError(`Unknown flow-run command "${sub}".\n\n${FLOW_RUN_HELP}`);
  }
}

// An operator action's refusal (the run moved on, bad input) is the user's to
// fix: one line, no stack trace.
async function operatorAction<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof IronFlowError) {
      const problems = error instanceof InvalidInputError && error.problems.length > 0
        ? `\n  ${error.problems.join("\n  ")}`
        : "";
      throw new UsageError(`${error.message}${problems}`);
    }
    throw error;
  }
}

/** The state history of runs as a table. */
export function historyTable(
  events: ReadonlyArray<
    {
      seq: number;
      runId: string;
      from: string | null;
      to: string;
      stateName: string;
      kind: string;
      at: number;
    }
  >,
  label: (runId: string) => string,
): string {
  return table(
    ["SEQ", "RUN", "FROM", "TO", "NAME", "KIND", "AT"],
    events.map((e) => [e.seq, label(e.runId), e.from ?? "", e.to, e.stateName, e.kind, time(e.at)]),
  );
}

function stateLabel(run: RunRecord): string {
  return run.stateName.toUpperCase() === run.state ? run.state : `${run.state} (${run.stateName})`;
}

function runDuration(run: RunRecord): number | null {
  if (run.startTime === null) return null;
  return (run.endTime ?? run.updatedAt) - run.startTime;
}
