/**
 * The command groups of `ironflow`, one entry each: the global help is made
 * from this table and `runCli` dispatches through it, so adding a command
 * group is one entry here and one module beside it.
 *
 * @module
 */
import type { CliContext } from "./io.ts";

/** What `runCli` passes besides the arguments. */
export interface CommandOptions {
  /** Whether the store's integrity check runs when it is opened. */
  integrityCheck: boolean;
}

/** One command group. */
export interface CommandEntry {
  /** The first word on the command line. */
  name: string;
  /** Other words that run it (`gcl` for `concurrency-limit`). */
  aliases?: readonly string[];
  /** The usage shown in the global help, left column. */
  usage: string;
  /** One line for the global help. */
  summary: string;
  /** Hidden from the global help (internal commands). */
  hidden?: boolean;
  /** Its `--help` text; modules are loaded only when needed. */
  help(): Promise<string>;
  run(args: string[], cli: CliContext, options: CommandOptions): Promise<number>;
}

/** Every command group, in the order of the global help. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "server",
    usage: "server start",
    summary:
      "serve the API and dashboard (default http://127.0.0.1:4200); services start: the loop alone",
    help: async () => (await import("./server_command.ts")).SERVER_HELP,
    run: async (args, cli, options) =>
      await (await import("./server_command.ts")).serverCommand(args, cli, options),
  },
  {
    name: "run",
    usage: "run <module>[:flow]",
    summary: "run a flow from a local path or URL",
    help: async () => (await import("./run_command.ts")).RUN_HELP,
    run: async (args, cli) => await (await import("./run_command.ts")).runCommand(args, cli),
  },
  {
    name: "plan",
    usage: "plan <module>[:flow]",
    summary: "print a flow's task graph without running it",
    help: async () => (await import("./plan_command.ts")).PLAN_HELP,
    run: async (args, cli) => await (await import("./plan_command.ts")).planCommand(args, cli),
  },
  {
    name: "build",
    usage: "build --flows <m>... -o <out>",
    summary: "an executable with flow modules embedded",
    help: async () => (await import("./build_command.ts")).BUILD_HELP,
    run: async (args, cli) => await (await import("./build_command.ts")).buildCommand(args, cli),
  },
  {
    name: "demo",
    usage: "demo",
    summary: "run the example ETL flow and print its history",
    help: () =>
      Promise.resolve(
        "Usage: ironflow demo\n\nRuns the example ETL flow (examples/etl.ts) on the embedded store and prints its history.",
      ),
    // Loaded on demand: it defines the example's flows, which must not shadow
    // flows of the same name embedded with `ironflow build`.
    run: async (args, cli) => await (await import("./demo.ts")).demoCommand(args, cli),
  },
  {
    name: "flow",
    usage: "flow <command>",
    summary: "ls | inspect | rename | archive | restore | delete | retention | sweep",
    help: async () => (await import("./flow_commands.ts")).FLOW_HELP,
    run: async (args, cli) => await (await import("./flow_commands.ts")).flowCommand(args, cli),
  },
  {
    name: "flow-run",
    usage: "flow-run <command>",
    summary:
      "ls | inspect | task-runs | logs | events | dag | watch | cancel | pause | resume | retry",
    help: async () => (await import("./flow_run_commands.ts")).FLOW_RUN_HELP,
    run: async (args, cli) =>
      await (await import("./flow_run_commands.ts")).flowRunCommand(args, cli),
  },
  {
    name: "init",
    usage: "init",
    summary: "write a starter ironflow.yaml and flows/hello.ts",
    help: async () => (await import("./deploy_command.ts")).INIT_HELP,
    run: async (args, cli) => await (await import("./deploy_command.ts")).initCommand(args, cli),
  },
  {
    name: "deploy",
    usage: "deploy",
    summary: "apply ironflow.yaml: --all | --name N, --prune, --dry-run",
    help: async () => (await import("./deploy_command.ts")).DEPLOY_HELP,
    run: async (args, cli) => await (await import("./deploy_command.ts")).deployCommand(args, cli),
  },
  {
    name: "deployment",
    usage: "deployment <command>",
    summary: "ls | inspect | run | pause | resume | delete | schedule",
    help: async () => (await import("./deployment_commands.ts")).DEPLOYMENT_HELP,
    run: async (args, cli) =>
      await (await import("./deployment_commands.ts")).deploymentCommand(args, cli),
  },
  {
    name: "worker",
    usage: "worker start",
    summary: "claim and execute deployment runs in subprocesses",
    help: async () => (await import("./worker_command.ts")).WORKER_HELP,
    run: async (args, cli) => await (await import("./worker_command.ts")).workerCommand(args, cli),
  },
  {
    name: "automation",
    usage: "automation <command>",
    summary: "ls | inspect | create | apply | pause | resume | delete",
    help: async () => (await import("./automation_commands.ts")).AUTOMATION_HELP,
    run: async (args, cli) =>
      await (await import("./automation_commands.ts")).automationCommand(args, cli),
  },
  {
    name: "variable",
    usage: "variable <command>",
    summary: "ls | get | set | unset",
    help: async () => (await import("./variable_commands.ts")).VARIABLE_HELP,
    run: async (args, cli) =>
      await (await import("./variable_commands.ts")).variableCommand(args, cli),
  },
  {
    name: "secret",
    usage: "secret <command>",
    summary: "ls | set | unset",
    help: async () => (await import("./variable_commands.ts")).SECRET_HELP,
    run: async (args, cli) =>
      await (await import("./variable_commands.ts")).secretCommand(args, cli),
  },
  {
    name: "task",
    usage: "task serve <module>...",
    summary: "run a task worker for background tasks (task.delay())",
    help: async () => (await import("./task_command.ts")).TASK_HELP,
    run: async (args, cli) => await (await import("./task_command.ts")).taskCommand(args, cli),
  },
  {
    name: "execute-run",
    usage: "execute-run",
    summary: "run one claimed run (started by a worker)",
    hidden: true,
    help: () => Promise.resolve("Usage: ironflow execute-run (started by a worker)"),
    run: async (args, cli) =>
      await (await import("./worker_command.ts")).executeRunCommand(args, cli),
  },
  {
    name: "work-pool",
    usage: "work-pool <command>",
    summary:
      "ls | create | inspect | pause | resume | set-concurrency-limit | clear-concurrency-limit | set-base-job-variables | delete",
    help: async () => (await import("./work_pool_commands.ts")).WORK_POOL_HELP,
    run: async (args, cli) =>
      await (await import("./work_pool_commands.ts")).workPoolCommand(args, cli),
  },
  {
    name: "work-queue",
    usage: "work-queue <command>",
    summary: "ls | create | update | inspect | pause | resume | delete (--pool)",
    help: async () => (await import("./work_queue_commands.ts")).WORK_QUEUE_HELP,
    run: async (args, cli) =>
      await (await import("./work_queue_commands.ts")).workQueueCommand(args, cli),
  },
  {
    name: "concurrency-limit",
    aliases: ["gcl"],
    usage: "concurrency-limit <command>",
    summary: "ls | create | inspect | update | reset | delete (alias gcl)",
    help: async () => (await import("./concurrency_limit_commands.ts")).CONCURRENCY_LIMIT_HELP,
    run: async (args, cli) =>
      await (await import("./concurrency_limit_commands.ts")).concurrencyLimitCommand(args, cli),
  },
  {
    name: "task-run",
    usage: "task-run <command>",
    summary: "ls | inspect | logs",
    help: async () => (await import("./task_run_commands.ts")).TASK_RUN_HELP,
    run: async (args, cli) =>
      await (await import("./task_run_commands.ts")).taskRunCommand(args, cli),
  },
  {
    name: "artifact",
    usage: "artifact <command>",
    summary: "ls | inspect",
    help: async () => (await import("./task_run_commands.ts")).ARTIFACT_HELP,
    run: async (args, cli) =>
      await (await import("./task_run_commands.ts")).artifactCommand(args, cli),
  },
  {
    name: "sdk",
    usage: "sdk export <dir>",
    summary: 'write the SDK of this version into <dir> (imported as "ironflow")',
    help: async () => (await import("./sdk_command.ts")).SDK_HELP,
    run: async (args, cli) => await (await import("./sdk_command.ts")).sdkCommand(args, cli),
  },
  {
    name: "api",
    usage: "api METHOD PATH",
    summary: "send one request to the HTTP API and print its JSON answer",
    help: async () => (await import("./api_command.ts")).API_HELP,
    run: async (args, cli) => await (await import("./api_command.ts")).apiCommand(args, cli),
  },
  {
    name: "db",
    usage: "db <command>",
    summary: "export | import | rebuild | migrate | copy",
    help: async () => (await import("./db_commands.ts")).DB_HELP,
    run: async (args, cli) => await (await import("./db_commands.ts")).dbCommand(args, cli),
  },
];

/** The entry for `word` (a name or an alias). */
export function findCommand(word: string): CommandEntry | undefined {
  return COMMANDS.find((entry) => entry.name === word || entry.aliases?.includes(word));
}

/** The global help's command list, aligned. */
export function commandList(): string {
  const shown = COMMANDS.filter((entry) => !entry.hidden);
  const width = Math.max(...shown.map((entry) => entry.usage.length)) + 2;
  return shown.map((entry) => `  ${entry.usage.padEnd(width)}${entry.summary}`).join("\n");
}
