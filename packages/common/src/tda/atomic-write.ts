import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes `path` via a temporary sibling and a rename: readers see the old file or the whole new one. */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
