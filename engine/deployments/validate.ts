/**
 * Turning what a caller gives into a stored deployment, or a
 * {@linkcode DeploymentError} listing every problem.
 *
 * @module
 */
import { IronFlowError, type Json } from "../core/mod.ts";
import { type Schedule, scheduleProblems } from "../schedules/plan.ts";
import { checkSchedule } from "../schedules/mod.ts";
import {
  CollisionStrategy,
  DEFAULT_WORK_POOL,
  DEFAULT_WORK_QUEUE,
  type Deployment,
  type DeploymentInput,
} from "./model.ts";
import { parameterProblems, schemaProblems } from "./parameters.ts";

/** A deployment (or a manifest entry) that cannot be accepted. */
export class DeploymentError extends IronFlowError {
  override name = "DeploymentError";
  /** Every problem found, `field: message`. */
  readonly problems: string[];
  constructor(message: string, problems: string[], options?: ErrorOptions & { code?: string }) {
    super(message, { ...options, code: options?.code ?? "invalid_deployment" });
    this.problems = problems;
  }
}

/** Names of deployments and work pools: letters, digits, `_ . : -`. */
export const NAME_PATTERN = /^[A-Za-z0-9_][\w.:-]{0,199}$/;

/** The export name of an entrypoint `path:export`, if it has one. */
export function entrypointExport(entrypoint: string): string | undefined {
  const match = entrypoint.match(/:([A-Za-z_$][\w$]*)$/);
  return match?.[1];
}

function nameProblem(what: string, name: unknown): string | undefined {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    return `${what} "${
      String(name)
    }" must be 1 to 200 letters, digits, _ . : or - (not starting with . : or -)`;
  }
  return undefined;
}

/** Slugs of schedules: letters, digits, `_ . -`, as Prefect's schedule slugs. */
export const SLUG_PATTERN = /^[A-Za-z0-9_][\w.-]{0,99}$/;

/** Problems of one schedule, with its position. */
function scheduleIssues(
  schedules: readonly Schedule[],
  defaults: { [name: string]: Json },
  schema: Json | null,
): string[] {
  const problems: string[] = [];
  const slugs = new Set<string>();
  schedules.forEach((schedule, i) => {
    const slug = schedule.slug ?? null;
    if (slug !== null) {
      if (typeof slug !== "string" || !SLUG_PATTERN.test(slug)) {
        problems.push(
          `schedules[${i}]: slug "${
            String(slug)
          }" must be 1 to 100 letters, digits, _ . or - (not starting with . or -)`,
        );
      } else if (slugs.has(slug)) {
        problems.push(`schedules[${i}]: slug "${slug}" is used by another schedule`);
      }
      slugs.add(slug);
    }
    const parameters = schedule.parameters;
    if (parameters !== undefined) {
      if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
        problems.push(`schedules[${i}]: parameters must be an object of named values`);
      } else if (schema !== null) {
        // The runs of this schedule get exactly these merged parameters.
        for (const problem of parameterProblems(schema, { ...defaults, ...parameters })) {
          problems.push(`schedules[${i}]: parameters: ${problem}`);
        }
      }
    }
    const structural = scheduleProblems(schedule);
    if (structural.length > 0) {
      for (const problem of structural) problems.push(`schedules[${i}]: ${problem}`);
      return;
    }
    try {
      checkSchedule(schedule);
    } catch (error) {
      problems.push(`schedules[${i}]: ${(error as Error).message}`);
    }
  });
  return problems;
}

/**
 * Validates `input` and builds the stored deployment (keeping `id` and
 * `createdAt` of `existing`). Throws a `DeploymentError` listing all problems.
 */
export function buildDeployment(
  input: DeploymentInput,
  options: { id: string; now: number; existing?: Deployment | undefined },
): Deployment {
  const problems: string[] = [];
  const push = (problem: string | undefined) => problem && problems.push(problem);
  push(nameProblem("name", input.name));
  if (typeof input.entrypoint !== "string" || input.entrypoint.trim() === "") {
    problems.push("entrypoint must be a module path or URL with a flow, e.g. ./flows/etl.ts:etl");
  }
  const flowName = input.flowName ?? entrypointExport(input.entrypoint ?? "") ?? input.name;
  const workPool = input.workPool ?? DEFAULT_WORK_POOL;
  push(nameProblem("work pool", workPool));
  const workQueue = input.workQueue ?? DEFAULT_WORK_QUEUE;
  push(nameProblem("work queue", workQueue));
  const limit = input.concurrencyLimit ?? null;
  if (limit !== null && !(Number.isInteger(limit) && limit >= 1)) {
    problems.push(`concurrency limit must be a whole number of 1 or more, got ${limit}`);
  }
  const strategy = input.collisionStrategy ?? CollisionStrategy.ENQUEUE;
  if (!Object.values(CollisionStrategy).includes(strategy)) {
    problems.push(`collision strategy must be ENQUEUE or CANCEL_NEW, got "${strategy}"`);
  }
  const prefix = input.commandPrefix ?? null;
  if (
    prefix !== null &&
    !(Array.isArray(prefix) && prefix.every((word) => typeof word === "string" && word !== ""))
  ) {
    problems.push(
      `command prefix must be a list of words such as ["nice", "-n", "10"], got ${
        JSON.stringify(prefix)
      }`,
    );
  }
  const timeout = input.timeoutSeconds ?? null;
  if (timeout !== null && !(typeof timeout === "number" && timeout > 0)) {
    problems.push(`timeout must be a number of seconds above 0, got ${timeout}`);
  }
  const formerly = [...new Set(input.formerly ?? [])].filter((old) => old !== input.name);
  for (const old of formerly) push(nameProblem("former name", old));
  const parameters = input.parameters ?? {};
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    problems.push("parameters must be an object of named values");
  }
  const schema = input.parameterSchema ?? null;
  let schemaOk = true;
  if (schema !== null) {
    const bad = schemaProblems(schema);
    schemaOk = bad.length === 0;
    problems.push(...bad);
    if (bad.length === 0) {
      // Defaults alone may leave required parameters out; check only the ones given.
      const partial = { ...(schema as object), required: [] };
      for (const problem of parameterProblems(partial, parameters)) {
        problems.push(`parameters: ${problem}`);
      }
    }
  }
  const schedules = input.schedules ?? [];
  problems.push(...scheduleIssues(schedules, parameters, schemaOk ? schema : null));
  if (problems.length > 0) {
    throw new DeploymentError(
      `Invalid deployment "${String(input.name)}": ${problems.join("; ")}`,
      problems,
    );
  }
  const existing = options.existing;
  return {
    id: options.id,
    name: input.name,
    flowName,
    entrypoint: input.entrypoint.trim(),
    description: input.description ?? null,
    parameters,
    parameterSchema: schema,
    tags: [...new Set(input.tags ?? [])],
    paused: input.paused ?? false,
    concurrencyLimit: limit,
    collisionStrategy: strategy,
    workPool,
    workQueue,
    schedules: schedules.map((s) => ({ ...s })),
    formerly: [...new Set([...(existing?.formerly ?? []), ...formerly])].filter((old) =>
      old !== input.name
    ),
    workingDirectory: input.workingDirectory ?? null,
    permissions: input.permissions ?? null,
    env: { ...(input.env ?? {}) },
    ...(prefix !== null && prefix.length > 0 ? { commandPrefix: [...prefix] } : {}),
    timeoutSeconds: timeout,
    ...(input.version ? { version: input.version } : {}),
    createdAt: existing?.createdAt ?? options.now,
    updatedAt: options.now,
    deletedAt: null,
  };
}

/** Whether two deployments differ in anything a user set (times and id aside). */
export function sameSettings(a: Deployment, b: Deployment): boolean {
  // Deployments stored before work queues have none: they are in the default queue.
  const strip = ({ workQueue, ...d }: Deployment) => ({
    ...d,
    workQueue: workQueue ?? DEFAULT_WORK_QUEUE,
    createdAt: 0,
    updatedAt: 0,
    id: "",
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
