import * as fs from 'node:fs';
import * as path from 'node:path';
import { faultPoint } from './faults';
import { describeFsError } from './fs-errors';

let tempCounter = 0;

/**
 * Writes `data` to a temporary sibling of `file`, then renames it over `file` (atomic on POSIX): readers see the old
 * file or the whole new one, never a partial one. The temporary name comes from the pid and a counter, not from
 * Math.random, which seedEverything replaces with the run's seeded stream. A failure (full disk, read-only mount)
 * removes the temporary file and is reported with the file, the operation and the likely fix.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw describeFsError(err, path.dirname(file), 'create the folder');
  }
  const tmp = `${file}.tmp-${process.pid}-${tempCounter++}`;
  try {
    fs.writeFileSync(tmp, data);
    faultPoint(path.basename(file), tmp);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw describeFsError(err, file, 'write');
  }
}

/** Whether a process with this pid is alive (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes, under `dir` (recursively), the temporary files of writeFileAtomic whose writer is dead (a SIGKILL
 * between write and rename leaves `<file>.tmp-<pid>-<n>`); a live writer's files are kept. Returns the removed paths.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  if (!fs.existsSync(dir)) return removed;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const match = /\.tmp-(\d+)-\d+$/.exec(entry.name);
    if (!entry.isFile() || !match || alive(Number(match[1]))) continue;
    const file = path.join(entry.parentPath, entry.name);
    fs.rmSync(file, { force: true });
    removed.push(file);
  }
  return removed;
}

/** JSON (one space indent, Infinity written as "inf" since JSON has none) through writeFileAtomic. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(
    file,
    JSON.stringify(value, (_key, v: unknown) => (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v), 1) + '\n',
  );
}
