import * as fs from 'node:fs';
import * as path from 'node:path';

let tempCounter = 0;

/**
 * Writes `data` to a temporary sibling of `file`, then renames it over `file` (atomic on POSIX): readers see the old
 * file or the whole new one, never a partial one. The temporary name comes from the pid and a counter, not from
 * Math.random, which seedEverything replaces with the run's seeded stream.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${tempCounter++}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** JSON (one space indent, Infinity written as "inf" since JSON has none) through writeFileAtomic. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, (_key, v: unknown) => (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v), 1) + '\n');
}
