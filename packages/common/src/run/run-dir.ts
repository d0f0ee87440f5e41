// Run folders: `<outputs>/<project>/<experiment>/<timestamp>` (or a name the app gives), created exclusively so two
// runs never share one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFsError } from '../io';

export { describeFsError };

/** One timestamp format for every run folder: UTC to the second, filesystem-safe (`2026-11-29T00-13-05Z`). */
export function runTimestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._=+-]*$/;

/**
 * Checks a name that becomes part of a path (an experiment name may nest with `/`): each segment is letters, digits
 * and `._=+-`, not starting with a dot, so `..`, absolute paths and hidden folders cannot escape the outputs folder.
 */
export function checkPathName(name: string, what: string): string {
  const segments = name.split('/');
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (name.length === 0 || name.length > 200 || bad !== undefined) {
    throw new Error(
      `${what} '${name}' cannot name a folder: use letters, digits and . _ = + - (segments may be joined with /, ` +
        `none empty or starting with a dot)`,
    );
  }
  return name;
}

/**
 * Creates `<parent>/<timestamp>` exclusively (mkdir fails if it exists); when another run took that name in the same
 * second, tries `<timestamp>_1`, `_2`, ... Returns the folder created.
 */
export function createRunDir(parent: string, date = new Date()): string {
  return createNamedRunDir(parent, runTimestamp(date));
}

/** Creates `<parent>/<name>` exclusively, or `<name>_1`, `<name>_2`, ... when taken. Returns the folder created. */
export function createNamedRunDir(parent: string, name: string): string {
  fs.mkdirSync(parent, { recursive: true });
  const base = path.join(parent, name);
  for (let i = 0; i < 1000; i++) {
    const dir = i === 0 ? base : `${base}_${i}`;
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describeFsError(err, dir, 'create the run folder');
    }
  }
  throw new Error(`could not create a run folder under ${parent}: 1000 folders named ${name}_N exist`);
}

/** Fails early, naming the folder and the fix, when a run folder cannot be written (read-only, full, no permission). */
export function checkWritable(dir: string): void {
  const probe = path.join(dir, `.write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
  } catch (err) {
    throw describeFsError(err, dir, 'write into');
  }
}
