/**
 * The temporary plan-cache directory a worker owns (see `_plan_cache.ts`).
 *
 * A worker that stops removes its directory. One that cannot (SIGKILL, power
 * loss) leaves it behind, so each worker holds a lock on a file in its
 * directory for as long as it lives: the operating system drops the lock
 * when the process ends, however it ends. A worker starting on the same
 * machine removes the directories whose lock it can take.
 *
 * @module
 */

/** Prefix of the directories, in the system's temporary directory. */
const PREFIX = "ironflow_plans_";
/**
 * Prefix of a directory whose owner file is not locked yet. It gets its
 * final name once locked, so a directory named with PREFIX whose lock is
 * free has no worker: there is no moment in which a live worker's directory
 * looks abandoned.
 */
const STAGING_PREFIX = "ironflow_plans-new_";
/** The file whose lock says the directory's worker is alive. */
const OWNER_FILE = ".owner";
/**
 * Age after which a directory with no owner file (made by a version that
 * kept none) goes, and a staging one whose owner file is not locked.
 */
const UNOWNED_MAX_AGE_MS = 24 * 3_600_000;

/** A plan-cache directory held by this process until `release()`. */
export interface OwnedPlanCache {
  readonly dir: string;
  /** Drops the lock and removes the directory. */
  release(): Promise<void>;
}

/** Where {@linkcode ownPlanCache} works, and its clock. */
export interface PlanCacheDirOptions {
  /** @default the system's temporary directory */
  parent?: string;
  /** Epoch ms; @default Date.now() */
  now?: number;
}

/**
 * Makes a temporary directory for a worker's plans and locks it as this
 * process's; then removes the directories of workers that are gone.
 * `undefined` when no directory can be made: runs then plan for themselves.
 */
export function ownPlanCache(options: PlanCacheDirOptions = {}): OwnedPlanCache | undefined {
  let staging: string;
  let owner: Deno.FsFile;
  try {
    staging = Deno.makeTempDirSync({
      prefix: STAGING_PREFIX,
      ...(options.parent ? { dir: options.parent } : {}),
    });
  } catch {
    return undefined;
  }
  try {
    owner = Deno.openSync(`${staging}/${OWNER_FILE}`, { create: true, write: true });
    owner.lockSync(true);
  } catch {
    Deno.removeSync(staging, { recursive: true });
    return undefined;
  }
  const parent = parentOf(staging);
  let dir = `${parent}/${PREFIX}${staging.slice(parent.length + 1 + STAGING_PREFIX.length)}`;
  try {
    Deno.renameSync(staging, dir);
  } catch {
    // Some systems refuse to rename a directory with an open file: it keeps
    // the staging name, which is removed a day after its worker is gone.
    dir = staging;
  }
  removeAbandonedPlanCaches(parent, options.now ?? Date.now(), dir);
  return {
    dir,
    async release() {
      owner.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Removes the plan-cache directories under `parent` whose worker is gone: the
 * lock of their owner file is free. Ones without an owner file to judge by go
 * once they are a day old. Directories of other users, and ones that vanish
 * meanwhile, are skipped. Returns the paths removed.
 */
export function removeAbandonedPlanCaches(parent: string, now: number, keep?: string): string[] {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(parent)];
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const staging = entry.name.startsWith(STAGING_PREFIX);
    if (!entry.isDirectory || !(staging || entry.name.startsWith(PREFIX))) continue;
    const dir = `${parent}/${entry.name}`;
    if (dir === keep) continue;
    try {
      // A staging directory may not have locked its owner file yet: it also has to be old.
      const gone = abandoned(dir, now) &&
        (!staging || now - modifiedAt(dir) > UNOWNED_MAX_AGE_MS);
      if (gone) {
        Deno.removeSync(dir, { recursive: true });
        removed.push(dir);
      }
    } catch {
      // Not ours to read, or gone already.
    }
  }
  return removed;
}

function abandoned(dir: string, now: number): boolean {
  let owner: Deno.FsFile;
  try {
    owner = Deno.openSync(`${dir}/${OWNER_FILE}`, { read: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return false;
    return now - modifiedAt(dir) > UNOWNED_MAX_AGE_MS;
  }
  try {
    // Taken: its worker is alive. Free: no process holds it, so none uses the directory.
    return owner.tryLockSync(true);
  } finally {
    owner.close();
  }
}

function modifiedAt(path: string): number {
  return Deno.statSync(path).mtime?.getTime() ?? Infinity;
}

function parentOf(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")));
}
