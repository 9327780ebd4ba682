/**
 * What a task run records besides its states: its arguments as parameters,
 * the cache key its options derive from them, and its persisted result as an
 * artifact.
 *
 * @module
 */
import { type Json, type RunRecord, StateName, StateType } from "../engine/mod.ts";
import { decodeResult } from "./results.ts";
import type { Completion } from "./resume.ts";
import type { ControlPlane } from "./control_plane.ts";
import { cacheKeyOf } from "./cache_policies.ts";
import { asError } from "./errors.ts";
import type { RunMirror } from "./run_mirror.ts";
import type { TaskSpec } from "./run_specs.ts";
import { isFuture } from "./run_steps.ts";
import { namedParameters } from "./parameters.ts";
import { asRecord, renderRunName } from "./run_names.ts";
import { lockKey } from "./_key_lock.ts";

/** Largest task-argument JSON kept as the task run's parameters. */
const MAX_TASK_PARAMETERS_CHARS = 2048;

/** The cache key of a call, from the task's `cacheKeyFn` or `cachePolicy`; `undefined`: not cached. */
export function taskCacheKey(
  spec: TaskSpec,
  resolved: unknown[],
  host: { readonly mirror: RunMirror; warn(message: string): void },
): string | undefined {
  const { cacheKeyFn, cachePolicy } = spec.options;
  const flowRun = host.mirror.run;
  if (cacheKeyFn) {
    try {
      const key = cacheKeyFn({
        taskName: spec.name,
        args: resolved,
        flowRunId: flowRun.id,
        parameters: flowRun.parameters,
      });
      return key === undefined || key === null ? undefined : `${spec.name}-${String(key)}`;
    } catch (error) {
      host.warn(
        `cacheKeyFn of task "${spec.name}" threw, not caching: ${asError(error).message}`,
      );
      return undefined;
    }
  }
  if (!cachePolicy) return undefined;
  return cacheKeyOf(cachePolicy, {
    taskName: spec.name,
    args: resolved,
    source: Function.prototype.toString.call(spec.fn),
    flowParameters: flowRun.parameters,
    flowRunId: flowRun.id,
    namedArgs: () => namedParameters(spec.fn, resolved),
  });
}

/** A call's arguments as the task run's parameters (futures by run id, long ones truncated). */
export function taskParameters(args: unknown[], hasFutures: boolean): Json {
  if (args.length === 0) return null;
  try {
    const json = JSON.stringify(args, hasFutures ? futureReplacer : undefined);
    if (json === undefined) return null;
    if (json.length > MAX_TASK_PARAMETERS_CHARS) return { $truncated: json.length };
    // Without futures the arguments serialise as they are; with them, as the replaced copy.
    return hasFutures ? JSON.parse(json) as Json : args as Json;
  } catch {
    return { $unserializable: true };
  }
}

function futureReplacer(_key: string, value: unknown): unknown {
  return isFuture(value) ? { $future: value.runId ?? null } : value;
}

/** A persisted task result, shown with the run as a "result" artifact. */
export async function recordResultArtifact(
  host: {
    readonly plane: ControlPlane;
    readonly mirror: RunMirror;
    warn(message: string, taskRunId?: string | null): void;
  },
  run: RunRecord,
  stored: Json,
): Promise<void> {
  const result = stored as { kind?: string; value?: Json; ref?: string; size?: number };
  if (result.kind === "none") return;
  try {
    await host.plane.createArtifact({
      type: "result",
      key: null,
      description: `Result of task run "${run.runName}"`,
      data: result.kind === "inline"
        ? result.value ?? null
        : { ref: result.ref ?? null, size: result.size ?? null },
      flowRunId: host.mirror.id,
      taskRunId: run.id,
    });
  } catch (error) {
    host.warn(`Result artifact not recorded: ${asError(error).message}`, run.id);
  }
}

/**
 * A task run's name: its `taskRunName` over the named arguments (a future
 * stands as its task's name), else `name-n`, or `name-i` for map index i.
 */
export function taskRunName(
  spec: TaskSpec,
  args: readonly unknown[],
  key: string,
  mapIndex: number | null,
): string {
  const option = spec.options.taskRunName;
  if (option === undefined) {
    return mapIndex === null ? key.replace("#", "-") : `${spec.name}-${mapIndex}`;
  }
  const shown = args.map((arg) => isFuture(arg) ? arg.taskName : arg);
  return renderRunName(option, asRecord(namedParameters(spec.fn, shown)), `task "${spec.name}"`);
}

/** Holds the call's cache key in this process (a SERIALIZABLE cache policy); the release. */
export async function cacheKeyLock(cacheKey: string | undefined): Promise<() => void> {
  return cacheKey === undefined ? () => {} : await lockKey(`cache:${cacheKey}`);
}

/** Restores a task run from an earlier attempt: PENDING → RUNNING → COMPLETED "Cached", no hooks. */
export async function restoreTaskRun(
  host: { readonly plane: ControlPlane; warn(message: string, taskRunId?: string | null): void },
  mirror: RunMirror,
  hit: Completion,
  inputs: string,
): Promise<{ ok: boolean; value?: unknown }> {
  let value: unknown;
  try {
    value = await decodeResult(hit.result, host.plane.results);
  } catch (error) {
    host.warn(
      `Cannot restore the result of "${mirror.run.runName}", running it again: ${
        asError(error).message
      }`,
      mirror.id,
    );
    return { ok: false };
  }
  const data = { cache_hit: true, resumedFrom: hit.runId };
  await mirror.transition(StateType.RUNNING, { kind: "resume", data, callHooks: false });
  if (mirror.state !== StateType.RUNNING) return { ok: false };
  await mirror.transition(StateType.COMPLETED, {
    kind: "resume",
    name: StateName.Cached,
    data: { ...data, inputs, result: hit.result as unknown as Json },
    callHooks: false,
  });
  const final = mirror.state as StateType;
  return final === StateType.COMPLETED ? { ok: true, value } : { ok: false };
}
