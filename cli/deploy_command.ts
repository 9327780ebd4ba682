/**
 * `ironflow deploy` (apply `ironflow.yaml`) and `ironflow init` (a starter
 * manifest and flow).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, resolve } from "node:path";
import type { ApiDeployment } from "../wire/mod.ts";
import { table, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { VERSION } from "./version.ts";
import { MANIFEST_FILE, readManifest, STARTER_MANIFEST, starterFlow } from "./manifest.ts";
import { openDeploymentTarget } from "./deployment_target.ts";
import { deploymentProblems, entrypointPath } from "./deploy_checks.ts";
import { rerunInProject } from "./project_config.ts";
import { toFileUrl } from "./paths.ts";
import { withFlowNames } from "./flow_names.ts";
import { linkSdk } from "./sdk_link.ts";
import { reportWrite, serverHint, whereOf } from "./where.ts";

export const DEPLOY_HELP =
  `Usage: ironflow deploy [--file ironflow.yaml] (--name NAME... | --all) [--prune] [--dry-run] [--json]

Creates or updates the deployments of the manifest (all of them with --all,
or those named with --name). {{ variables.name }} in its values reads the
target's variable of that name when deploying. --prune deletes live deployments the manifest
does not list (their schedules are turned off first; deployments with live
runs are kept and reported). --dry-run prints what would change and writes
nothing. Talks to --api-url / IRONFLOW_API_URL when set, else to the embedded
home; says which after applying.`;

export const INIT_HELP = `Usage: ironflow init [--force]

Writes a starter ironflow.yaml and flows/hello.ts in the current directory,
and maps "ironflow" in its deno.json (created or updated) to the SDK: the
published package when this ironflow came from one, else a copy of the SDK
of this version written to vendor/ironflow/ (see "ironflow sdk export").
Flows then import { flow, task } from "ironflow", on any machine.`;

/** Runs `ironflow deploy`. */
export async function deployCommand(args: string[], cli: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: "string", short: "f", default: MANIFEST_FILE },
      name: { type: "string", short: "n", multiple: true, default: [] },
      all: { type: "boolean", default: false },
      prune: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    cli.out(DEPLOY_HELP);
    return 0;
  }
  if (!values.all && values.name.length === 0) {
    throw new UsageError(`Give --all or at least one --name.\n\n${DEPLOY_HELP}`);
  }
  if (values.prune && !values.all) {
    throw new UsageError("--prune needs --all: it deletes what the whole manifest does not list");
  }
  // Opened only when needed: a manifest without variables is checked before any store is touched.
  let target: ReturnType<typeof openDeploymentTarget> | undefined;
  const open = () => (target ??= openDeploymentTarget(cli));
  const specs = await readManifest(values.file, cli.cwd, {
    async variable(name) {
      const variables = open().plane.variables;
      if (!variables) throw new UsageError(`Cannot read variable "${name}": the target has none`);
      return (await variables.get(name))?.value;
    },
  });
  const chosen = values.all ? specs : specs.filter((spec) => values.name.includes(spec.name));
  const missing = values.name.filter((name) => !specs.some((spec) => spec.name === name));
  if (missing.length > 0) {
    throw new UsageError(
      `${values.file} has no deployment ${missing.map((n) => `"${n}"`).join(", ")}; it has ${
        specs.map((s) => `"${s.name}"`).join(", ")
      }`,
    );
  }
  // Checked (importing the flows) before anything is written, and in a dry
  // run too; under the flows' project configuration.
  const modules = chosen.map((spec) => entrypointPath(spec, cli.cwd)).filter((path) =>
    path !== undefined
  );
  const rerun = await rerunInProject(cli, modules.map((path) => toFileUrl(path, cli.cwd)));
  if (rerun !== undefined) return rerun;
  const problems = await deploymentProblems(chosen, cli.cwd);
  if (problems.length > 0) {
    throw new UsageError(
      `${values.file} has deployments that would fail on every run:\n  ${problems.join("\n  ")}`,
    );
  }
  const { client } = open();
  const dryRun = values["dry-run"];
  // One flow, one name: its runs are recorded under the flow's own name, as direct calls are.
  const named = await withFlowNames(chosen);
  const result = await client.apply(named, { prune: values.prune, dryRun });
  if (values.json) {
    cli.out(JSON.stringify(result, null, 2));
    if (!dryRun) reportWrite(cli);
    return 0;
  }
  const rows: Array<[string, string, string]> = [];
  const add = (action: string, list: ApiDeployment[]) =>
    list.forEach((d) => rows.push([action, d.name, d.entrypoint]));
  add("created", result.created);
  add("updated", result.updated);
  add("unchanged", result.unchanged);
  add("pruned", result.pruned);
  for (const kept of result.kept) rows.push(["kept", kept.deployment.name, kept.reason]);
  cli.out(table(["ACTION", "DEPLOYMENT", "DETAIL"], rows));
  if (dryRun) cli.out(`Dry run: nothing was changed (${whereOf(cli)}).`);
  else cli.out(`Applied to ${whereOf(cli)}`);
  const hint = await serverHint(cli);
  if (hint) cli.err(hint);
  return 0;
}

/** Runs `ironflow init`. */
export async function initCommand(args: string[], cli: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    cli.out(INIT_HELP);
    return 0;
  }
  const manifest = resolve(cli.cwd, MANIFEST_FILE);
  const flowFile = resolve(cli.cwd, "flows/hello.ts");
  for (const file of [manifest, flowFile]) {
    if (!values.force && await exists(file)) {
      throw new UsageError(`${file} already exists; pass --force to overwrite it`);
    }
  }
  await Deno.mkdir(dirname(flowFile), { recursive: true });
  const link = await linkSdk(cli.cwd, { force: values.force });
  await Deno.writeTextFile(manifest, STARTER_MANIFEST);
  await Deno.writeTextFile(flowFile, starterFlow("ironflow"));
  const hint = await serverHint(cli);
  const url = hint ? ` --api-url ${hint.match(/--api-url (\S+)/)![1]}` : "";
  cli.out(
    `Wrote ${MANIFEST_FILE}, flows/hello.ts and deno.json ("ironflow" → ${link.target}${
      link.copy ? `, the SDK ${VERSION} copied into ${link.copy}/` : ""
    }).
Flows import the SDK as: import { flow, task } from "ironflow";
Next:
  ironflow run flows/hello.ts:hello${url}      run the flow once
  ironflow deploy --all${url}                  register its deployment
  ironflow deployment run hello-hourly${url}   create a run of it
  ironflow worker start${url}                  execute deployment runs`,
  );
  if (hint) cli.err(hint);
  return 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
