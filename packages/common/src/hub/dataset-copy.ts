// Copying a dataset folder into assets/: links inside it stay links, links out of it or to nothing are refused by
// name before anything is copied, and two imports racing for the same name end with one copy and no raw errno.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One entry of a dataset tree: a folder, a file, or a link kept as a link (its value relative to where it sits). */
export type TreeEntry = { rel: string } & (
  | { kind: 'dir' }
  | { kind: 'file'; size: number }
  | { kind: 'link'; value: string }
);

const inside = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * The entries under `source`, in walk order. A symlink whose target is inside the tree becomes a relative link; one
 * that leaves the tree, dangles or loops is a problem naming the link. Throws listing every problem.
 */
export function datasetTree(source: string, what: string): TreeEntry[] {
  const root = fs.realpathSync(source);
  const entries: TreeEntry[] = [];
  const problems: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(source, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(source, relPath);
      if (e.isSymbolicLink()) {
        const value = fs.readlinkSync(full);
        let target: string;
        try {
          target = fs.realpathSync(full);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          problems.push(
            `${relPath} -> ${value}: ${code === 'ELOOP' ? 'the link loops' : 'the link points at nothing (dangling)'}`,
          );
          continue;
        }
        if (!inside(root, target)) {
          problems.push(`${relPath} -> ${value}: the link leaves ${source} (it points at ${target})`);
          continue;
        }
        const at = path.join(root, path.dirname(relPath));
        entries.push({ rel: relPath, kind: 'link', value: path.relative(at, target) || '.' });
      } else if (e.isDirectory()) {
        entries.push({ rel: relPath, kind: 'dir' });
        walk(relPath);
      } else if (e.isFile()) {
        entries.push({ rel: relPath, kind: 'file', size: fs.statSync(full).size });
      } else problems.push(`${relPath}: not a file, folder or link`);
    }
  };
  walk('');
  if (problems.length > 0) {
    throw new Error(
      `${what}: cannot copy ${source}: ${problems.length} link(s) cannot be copied:\n  ${problems.join('\n  ')}\n` +
        'copy the files they point at into the folder, or remove the links (or import without --copy: a link)',
    );
  }
  return entries;
}

/** Copies the entries of `source` into the new folder `dest` (files by content, links as links). */
export function copyTree(source: string, dest: string, entries: readonly TreeEntry[]): void {
  fs.mkdirSync(dest);
  for (const e of entries) {
    const to = path.join(dest, e.rel);
    if (e.kind === 'dir') fs.mkdirSync(to);
    else if (e.kind === 'file') fs.copyFileSync(path.join(source, e.rel), to);
    else fs.symlinkSync(e.value, to);
  }
}

/** Whether `dest` holds exactly `entries` of `source`: the same folders, links, and files with the same bytes. */
export function sameTree(source: string, dest: string, entries: readonly TreeEntry[]): boolean {
  let there: TreeEntry[];
  try {
    there = datasetTree(dest, 'compare');
  } catch {
    return false;
  }
  const key = (e: TreeEntry) => `${e.kind} ${e.rel} ${e.kind === 'file' ? e.size : e.kind === 'link' ? e.value : ''}`;
  const a = entries.map(key).sort();
  const b = there.map(key).sort();
  if (a.join('\n') !== b.join('\n')) return false;
  return entries.every(
    (e) =>
      e.kind !== 'file' || fs.readFileSync(path.join(source, e.rel)).equals(fs.readFileSync(path.join(dest, e.rel))),
  );
}
