/**
 * The layout of a folder of result files, shared by the file result store
 * and the result cache: one file per content hash under a two-hex-digit
 * shard (`ab/ab12…`), written atomically beside it.
 *
 * @module
 */

/** The path of `ref`'s file in `folder`; throws `RangeError` for a malformed ref. */
export function resultPath(folder: string, ref: string): string {
  const match = ref.match(/^sha256:([0-9a-f]{64})$/);
  if (!match) throw new RangeError(`Result reference "${ref}" is malformed`);
  return `${folder}/${match[1]!.slice(0, 2)}/${match[1]}`;
}

/** A finished result file, with the names of the other files in its shard. */
export interface ResultFolderEntry {
  ref: string;
  path: string;
  info: Deno.FileInfo;
  /** Every file name in the shard (markers beside an entry show here). */
  names: ReadonlySet<string>;
}

/**
 * The finished result files in `folder` (none when it does not exist); the
 * temporary files of writes in progress and files gone meanwhile are skipped.
 */
export async function* resultFolderEntries(folder: string): AsyncGenerator<ResultFolderEntry> {
  let shards: Deno.DirEntry[];
  try {
    shards = await Array.fromAsync(Deno.readDir(folder));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  for (const shard of shards) {
    if (!shard.isDirectory || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
    const dir = `${folder}/${shard.name}`;
    const names = new Set<string>();
    for await (const entry of Deno.readDir(dir)) if (entry.isFile) names.add(entry.name);
    for (const name of names) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const path = `${dir}/${name}`;
      let info: Deno.FileInfo;
      try {
        info = await Deno.stat(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        throw error;
      }
      yield { ref: `sha256:${name}`, path, info, names };
    }
  }
}

/**
 * Deletes the file at `path` unless `keep` says otherwise; resolves with
 * whether it was deleted. The file is moved aside first, then `keep` is
 * asked: a writer that marked it used before the move is seen (the file goes
 * back), one after the move finds it gone and writes it again.
 */
export async function removeUnless(
  path: string,
  keep: (aside: string) => Promise<boolean>,
  options: { tag: string },
): Promise<boolean> {
  const aside = `${path}.${crypto.randomUUID()}.${options.tag}`;
  try {
    await Deno.rename(path, aside);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  if (await keep(aside)) {
    await Deno.rename(aside, path);
    return false;
  }
  await Deno.remove(aside);
  return true;
}
