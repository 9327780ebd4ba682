/**
 * The deployment registry on the store's documents: create, update, apply a
 * manifest (upsert many, prune the rest), pause, soft delete, and look-ups by
 * id, name or former name.
 *
 * @module
 */
import {
  allDocuments,
  ConflictError,
  type DocumentAccess,
  type DocumentReader,
  NotFoundError,
  type RunRecord,
  StateType,
  TERMINAL_STATES,
} from "../core/mod.ts";
import { scheduleSlotKey } from "../schedules/plan.ts";
import type { Engine } from "../engine.ts";
import { uuidv7 } from "../uuid7.ts";
import { C, read, type ScheduleCursor, write } from "./_documents.ts";
import { slotRunId } from "./_slot_run_id.ts";
import type { Deployment, DeploymentInput, DeploymentPatch } from "./model.ts";
import { ensureWorkPool } from "./work_pools.ts";
import { ensureWorkQueue, queueOfDeployment } from "./work_queues.ts";
import { loadSchemaSupport } from "./parameters.ts";
import { buildDeployment, DeploymentError, sameSettings } from "./validate.ts";

/** States in which a run still counts as live (soft delete is refused). */
export const LIVE_STATES: readonly StateType[] = Object.values(StateType).filter((s) =>
  !TERMINAL_STATES.has(s)
);

/** A page of deployments. */
export interface DeploymentPage {
  items: Deployment[];
  nextCursor: string | null;
}

/** What `apply` did (or would do, on a dry run). */
export interface ApplyResult {
  created: Deployment[];
  updated: Deployment[];
  unchanged: Deployment[];
  /** Deployments not in the manifest that were deleted (with `prune`). */
  pruned: Deployment[];
  /** Deployments `prune` could not delete, and why. */
  kept: Array<{ deployment: Deployment; reason: string }>;
}

/** Options of {@linkcode DeploymentService.apply}. */
export interface ApplyOptions {
  /** Delete live deployments the manifest does not name. @default false */
  prune?: boolean;
  /** Compute the outcome without writing. @default false */
  dryRun?: boolean;
}

function notFound(ref: string): NotFoundError {
  return new NotFoundError(`Deployment "${ref}" does not exist`, { code: "deployment_not_found" });
}

/** Deployments of one engine's store. */
export class DeploymentService {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  get #docs(): DocumentReader {
    return this.#engine.reader;
  }

  /** The live deployment with this id, name or former name, if any. */
  find(ref: string): Deployment | undefined {
    return findIn(this.#docs, ref);
  }

  /** Like {@linkcode find}, but throws `NotFoundError`. */
  get(ref: string): Deployment {
    const found = this.find(ref);
    if (!found) throw notFound(ref);
    return found;
  }

  /** Live deployments ordered by name, optionally of one work pool. */
  list(query: { workPool?: string; cursor?: string; limit?: number } = {}): DeploymentPage {
    const limit = query.limit ?? 50;
    const items: Deployment[] = [];
    let afterKey = query.cursor;
    // Names index live deployments in name order (aliases are skipped).
    while (items.length <= limit) {
      const page = this.#docs.listDocuments({
        collection: C.deploymentName,
        limit: 500,
        ...(afterKey ? { afterKey } : {}),
      });
      for (const doc of page) {
        const entry = doc.data as { id: string; alias: boolean };
        if (entry.alias) continue;
        const deployment = read<Deployment>(this.#docs, C.deployment, entry.id);
        if (!deployment || deployment.deletedAt !== null) continue;
        if (query.workPool !== undefined && deployment.workPool !== query.workPool) continue;
        items.push(deployment);
        if (items.length > limit) break;
      }
      if (page.length < 500) break;
      afterKey = page.at(-1)!.key;
    }
    const more = items.length > limit;
    const shown = items.slice(0, limit);
    return { items: shown, nextCursor: more ? shown.at(-1)!.name : null };
  }

  /** Creates a deployment; `ConflictError` when its name is taken. */
  async create(input: DeploymentInput): Promise<Deployment> {
    await loadSchemaSupport(); // buildDeployment checks the parameter schema
    const now = this.#engine.clock.now();
    const deployment = buildDeployment(input, { id: uuidv7(now), now });
    return await this.#engine.transact((tx) => {
      if (findIn(tx, deployment.name)) {
        throw new ConflictError(`Deployment "${deployment.name}" already exists`, {
          code: "deployment_exists",
        });
      }
      save(tx, deployment, undefined, now);
      return deployment;
    });
  }

  /** Changes some fields of a deployment; renaming keeps the old name as an alias. */
  async update(ref: string, patch: DeploymentPatch): Promise<Deployment> {
    await loadSchemaSupport();
    const now = this.#engine.clock.now();
    const current = this.get(ref);
    const input: DeploymentInput = { ...inputOf(current), ...stripUndefined(patch) };
    if (patch.name !== undefined && patch.name !== current.name) {
      input.formerly = [...(input.formerly ?? []), current.name];
    }
    const next = buildDeployment(input, { id: current.id, now, existing: current });
    await this.#engine.transact((tx) => save(tx, next, current, now));
    await this.#cancelDroppedSlots(current, next);
    return next;
  }

  /** Pauses (no new scheduled runs; future ones are cancelled) or resumes. */
  setPaused(ref: string, paused: boolean): Promise<Deployment> {
    return this.update(ref, { paused });
  }

  /**
   * Pauses (`active: false`: no new runs; its future scheduled runs are
   * cancelled) or resumes one schedule of a deployment, named by its slug.
   */
  async setScheduleActive(ref: string, slug: string, active: boolean): Promise<Deployment> {
    const current = this.get(ref);
    const index = current.schedules.findIndex((s) => s.slug === slug);
    if (index < 0) {
      const known = current.schedules.flatMap((s) => s.slug ? [`"${s.slug}"`] : []);
      throw new NotFoundError(
        `Deployment "${current.name}" has no schedule with slug "${slug}"` +
          (known.length > 0
            ? `; its slugs are ${known.join(", ")}`
            : "; none of its schedules has a slug"),
        { code: "schedule_not_found" },
      );
    }
    const schedules = current.schedules.map((s, i) => i === index ? { ...s, active } : s);
    return await this.update(current.id, { schedules });
  }

  /**
   * Creates or updates every deployment of `inputs` (by name or former name)
   * and, with `prune`, deletes live deployments not named. All inputs are
   * validated first: one invalid entry applies nothing.
   */
  async apply(
    inputs: readonly DeploymentInput[],
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    await loadSchemaSupport();
    const now = this.#engine.clock.now();
    const names = new Set<string>();
    const problems: string[] = [];
    const planned: Array<{ next: Deployment; current: Deployment | undefined }> = [];
    inputs.forEach((input, i) => {
      if (names.has(input.name)) {
        problems.push(`deployments[${i}]: name "${input.name}" appears twice`);
        return;
      }
      names.add(input.name);
      const current = this.find(input.name);
      try {
        const next = buildDeployment(input, {
          id: current?.id ?? uuidv7(now),
          now,
          existing: current,
        });
        planned.push({ next, current });
      } catch (error) {
        if (!(error instanceof DeploymentError)) throw error;
        problems.push(...error.problems.map((p) => `deployments[${i}] "${input.name}": ${p}`));
      }
    });
    if (problems.length > 0) {
      throw new DeploymentError(`Cannot apply deployments: ${problems.join("; ")}`, problems);
    }
    const result: ApplyResult = { created: [], updated: [], unchanged: [], pruned: [], kept: [] };
    for (const { next, current } of planned) {
      if (!current) result.created.push(next);
      else if (sameSettings(current, next)) result.unchanged.push(current);
      else result.updated.push(next);
    }
    const keep = new Set(planned.map((p) => p.next.id));
    const candidates = options.prune ? this.#allLive().filter((d) => !keep.has(d.id)) : [];
    if (options.dryRun) {
      for (const deployment of candidates) {
        const reason = this.#liveRunsReason(deployment, true);
        if (reason) result.kept.push({ deployment, reason });
        else result.pruned.push(deployment);
      }
      return result;
    }
    await this.#engine.transact((tx) => {
      for (const { next, current } of planned) {
        if (current && sameSettings(current, next)) continue;
        const owner = findIn(tx, next.name);
        if (owner && owner.id !== next.id) {
          throw new ConflictError(`Deployment name "${next.name}" is taken`, {
            code: "deployment_exists",
          });
        }
        save(tx, next, current, now);
      }
    });
    for (const { next, current } of planned) {
      if (current) await this.#cancelDroppedSlots(current, next);
    }
    for (const deployment of candidates) {
      // Pruning turns schedules off first: their future runs are cancelled.
      const off = await this.update(deployment.id, {
        schedules: deployment.schedules.map((s) => ({ ...s, active: false })),
      });
      const reason = this.#liveRunsReason(off, false);
      if (reason) result.kept.push({ deployment: off, reason });
      else result.pruned.push(await this.delete(off.id));
    }
    return result;
  }

  /**
   * Soft-deletes a deployment. Refused (`ConflictError`, 409) while one of
   * its runs is live or a schedule is active.
   */
  async delete(ref: string): Promise<Deployment> {
    const deployment = this.get(ref);
    const active = deployment.schedules.filter((s) => s.active).length;
    if (active > 0) {
      throw new ConflictError(
        `Cannot delete deployment "${deployment.name}": ${active} schedule${
          active > 1 ? "s are" : " is"
        } active; turn ${active > 1 ? "them" : "it"} off first`,
        { code: "deployment_in_use" },
      );
    }
    const reason = this.#liveRunsReason(deployment, false);
    if (reason) {
      throw new ConflictError(`Cannot delete deployment "${deployment.name}": ${reason}`, {
        code: "deployment_in_use",
      });
    }
    const now = this.#engine.clock.now();
    const deleted = { ...deployment, deletedAt: now, updatedAt: now };
    await this.#engine.transact((tx) => {
      write(tx, C.deployment, deleted.id, deleted, { now, ref: deleted.workPool });
      for (const name of [deployment.name, ...deployment.formerly]) {
        if (read<{ id: string }>(tx, C.deploymentName, name)?.id === deployment.id) {
          tx.deleteDocument(C.deploymentName, name);
        }
      }
    });
    return deleted;
  }

  /** Flow runs of a deployment, newest first. */
  runs(
    ref: string,
    query: { states?: readonly StateType[]; cursor?: string; limit?: number } = {},
  ): { items: RunRecord[]; nextCursor: string | null } {
    const deployment = this.get(ref);
    return this.#engine.listRuns({
      kind: "flow",
      deploymentId: deployment.id,
      ...(query.states ? { states: query.states } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit ?? 50,
      sort: "created",
      order: "desc",
    });
  }

  #allLive(): Deployment[] {
    const out: Deployment[] = [];
    for (const doc of allDocuments(this.#docs, C.deployment)) {
      const deployment = doc.data as unknown as Deployment;
      if (deployment.deletedAt === null) out.push(deployment);
    }
    return out;
  }

  // Why the deployment cannot be deleted for its runs; `ignoreScheduled` counts
  // future scheduled runs as going away (a dry run of prune cancels them).
  #liveRunsReason(deployment: Deployment, ignoreScheduled: boolean): string | undefined {
    const counts = this.#engine.reader.countRuns({
      kind: "flow",
      deploymentId: deployment.id,
      states: ignoreScheduled ? LIVE_STATES.filter((s) => s !== "SCHEDULED") : LIVE_STATES,
    });
    const live = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
    if (live === 0) return undefined;
    return `${live} run${live > 1 ? "s are" : " is"} still live (${
      Object.entries(counts).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(", ")
    })`;
  }

  // Future runs the scheduler created for schedules that are now off (or the
  // deployment is paused) are cancelled, as Prefect deletes them.
  async #cancelDroppedSlots(before: Deployment, after: Deployment): Promise<void> {
    const kept = new Set(
      after.paused ? [] : after.schedules.filter((s) => s.active).map((s) => scheduleSlotKey(s)),
    );
    const was = before.paused ? [] : before.schedules.filter((s) => s.active);
    if (was.every((s) => kept.has(scheduleSlotKey(s)))) return;
    await cancelFutureSlots(this.#engine, after.id, kept, "schedule turned off");
  }
}

/** Cancels SCHEDULED future runs of a deployment's slots whose schedule key is not kept. */
export async function cancelFutureSlots(
  engine: Engine,
  deploymentId: string,
  keep: ReadonlySet<string>,
  message: string,
): Promise<number> {
  const now = engine.clock.now();
  const runIds = new Set<string>();
  // A schedule's cursor remembers the slots it created ahead; their run ids follow from them.
  for (const doc of allDocuments(engine.reader, C.scheduleCursor, deploymentId)) {
    const key = doc.key.slice(deploymentId.length + 1);
    if (keep.has(key)) continue;
    for (const slot of (doc.data as unknown as ScheduleCursor).ahead ?? []) {
      if (slot > now) runIds.add(slotRunId(deploymentId, key, slot));
    }
  }
  // Slots reserved by documents (databases scheduled by older versions).
  for (const doc of allDocuments(engine.reader, C.scheduleSlot, deploymentId)) {
    const slot = doc.data as { runId: string; slot: number; scheduleKey: string };
    if (!keep.has(slot.scheduleKey) && slot.slot > now) runIds.add(slot.runId);
  }
  const cancelled: Promise<unknown>[] = [];
  for (const runId of runIds) {
    const run = engine.getRun(runId);
    if (run?.state !== StateType.SCHEDULED) continue;
    cancelled.push(engine.propose(run.id, {
      to: StateType.CANCELLED,
      token: `unschedule:${run.id}`,
      kind: "unschedule",
      data: { message },
    }));
  }
  await Promise.all(cancelled);
  return cancelled.length;
}

/** The live deployment named or identified by `ref` in `docs`. */
export function findIn(docs: DocumentReader, ref: string): Deployment | undefined {
  const byId = read<Deployment>(docs, C.deployment, ref);
  if (byId && byId.deletedAt === null) return byId;
  const entry = read<{ id: string }>(docs, C.deploymentName, ref);
  if (!entry) return undefined;
  const byName = read<Deployment>(docs, C.deployment, entry.id);
  return byName && byName.deletedAt === null ? byName : undefined;
}

function save(
  tx: DocumentAccess,
  next: Deployment,
  current: Deployment | undefined,
  now: number,
): void {
  for (const name of [next.name, ...next.formerly]) {
    const owner = findIn(tx, name);
    if (owner && owner.id !== next.id) {
      throw new ConflictError(
        `Name "${name}" of deployment "${next.name}" belongs to deployment "${owner.name}"`,
        { code: "deployment_exists" },
      );
    }
  }
  const pool = ensureWorkPool(tx, next.workPool, now);
  ensureWorkQueue(tx, pool, queueOfDeployment(next), now);
  write(tx, C.deployment, next.id, next, { now, ref: next.workPool });
  if (current) {
    for (const name of [current.name, ...current.formerly]) {
      if (name !== next.name && !next.formerly.includes(name)) {
        tx.deleteDocument(C.deploymentName, name);
      }
    }
  }
  write(tx, C.deploymentName, next.name, { id: next.id, alias: false }, { now, ref: next.id });
  for (const old of next.formerly) {
    write(tx, C.deploymentName, old, { id: next.id, alias: true }, { now, ref: next.id });
  }
}

/** The input that rebuilds `deployment` (for partial updates). */
export function inputOf(deployment: Deployment): DeploymentInput {
  return {
    name: deployment.name,
    entrypoint: deployment.entrypoint,
    flowName: deployment.flowName,
    description: deployment.description,
    parameters: deployment.parameters,
    parameterSchema: deployment.parameterSchema,
    tags: deployment.tags,
    paused: deployment.paused,
    concurrencyLimit: deployment.concurrencyLimit,
    collisionStrategy: deployment.collisionStrategy,
    workPool: deployment.workPool,
    workQueue: queueOfDeployment(deployment),
    schedules: deployment.schedules,
    formerly: deployment.formerly,
    workingDirectory: deployment.workingDirectory,
    permissions: deployment.permissions,
    env: deployment.env,
    commandPrefix: deployment.commandPrefix ?? null,
    timeoutSeconds: deployment.timeoutSeconds,
    ...(deployment.version ? { version: deployment.version } : {}),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<
    T
  >;
}
