// Assets live once under assets/; papers and tools point at them with symlinks, never copies.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkAssetName } from './hub-client';
import { copyTree, datasetTree, sameTree } from './dataset-copy';
import { datasetsDir, describeFsError, workspaceRoot } from '../io';

export interface LinkResult {
  link: string;
  target: string;
  /** created: new link; replaced: a link that pointed elsewhere; unchanged: it already pointed at the target. */
  status: 'created' | 'replaced' | 'unchanged';
}

/**
 * Makes `link` a symlink to the directory `target`. An existing symlink is replaced (nothing is lost); an existing
 * real file or directory is never touched: that is an error. The link is relative when both ends are inside the
 * workspace (so the checkout can move), absolute otherwise (e.g. a shared disk).
 */
export function ensureSymlink(link: string, target: string): LinkResult {
  const absTarget = path.resolve(target);
  if (!fs.existsSync(absTarget) || !fs.statSync(absTarget).isDirectory())
    throw new Error(`cannot link to ${absTarget}: not a directory`);
  const absLink = path.resolve(link);
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(absLink);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isSymbolicLink()) {
    throw new Error(`${absLink} exists and is not a symlink: refusing to replace it (move it away first)`);
  }
  if (existing && fs.existsSync(absLink) && fs.realpathSync(absLink) === fs.realpathSync(absTarget)) {
    return { link: absLink, target: absTarget, status: 'unchanged' };
  }
  const root = workspaceRoot();
  const inside = (p: string) => !path.relative(root, p).startsWith('..');
  const value = inside(absLink) && inside(absTarget) ? path.relative(path.dirname(absLink), absTarget) : absTarget;
  fs.mkdirSync(path.dirname(absLink), { recursive: true });
  // A new link under a temporary name renamed over the old one: the path is never missing or half-made.
  const tmp = `${absLink}.${process.pid}.tmp-link`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(value, tmp, 'dir');
  fs.renameSync(tmp, absLink);
  return { link: absLink, target: absTarget, status: existing ? 'replaced' : 'created' };
}

/** Links `assets/datasets/<dataset>` as `<into>/<dataset>` (e.g. into a paper's `data/` folder). */
export function linkAsset(opts: { dataset: string; into: string }): LinkResult {
  checkAssetName(opts.dataset, 'dataset');
  const target = datasetsDir(opts.dataset);
  if (isSymlink(target) && !fs.existsSync(target)) {
    let why = 'it points at nothing (dangling)';
    try {
      fs.realpathSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOOP') why = 'the link loops';
    }
    throw new Error(
      `dataset "${opts.dataset}": ${target} is a link to ${fs.readlinkSync(target)}, but ${why}: ` +
        `import it again (\`npx tools import-dataset ${opts.dataset} --from <dir>\`) or remove the link`,
    );
  }
  if (!fs.existsSync(target)) {
    throw new Error(
      `dataset "${opts.dataset}" is not in ${datasetsDir()}: get it first with ` +
        '`npx tools download-hf-dataset --name <id>` or `npx tools import-dataset <name> --from <dir>`',
    );
  }
  return ensureSymlink(path.join(opts.into, ...opts.dataset.split('/')), target);
}

export interface ImportResult {
  dir: string;
  source: string;
  mode: 'symlink' | 'copy';
  /** The files now reachable under `dir` (relative paths). */
  files: string[];
  /** `already imported`: a copy with the same content was there (made before, or by a parallel import). */
  status: LinkResult['status'] | 'copied' | 'already imported';
}

/**
 * Registers a local dataset folder as `assets/datasets/<name>`: a symlink to it (default), or a copy with `copy`.
 * A copy keeps the links that stay inside the folder as links and refuses, by name, links that leave it, dangle or
 * loop. It is made under a temporary name and renamed: when another import got there first with the same content,
 * this one reports `already imported`; a folder with other content is never overwritten.
 */
export function importDataset(opts: { name: string; from: string; copy?: boolean }): ImportResult {
  checkAssetName(opts.name, 'dataset');
  const source = path.resolve(opts.from);
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory())
    throw new Error(`import-dataset: ${source} is not a directory`);
  const dir = datasetsDir(opts.name);
  if (!opts.copy) {
    const files = listFilesUnder(source);
    if (files.length === 0) throw new Error(`import-dataset: ${source} holds no files`);
    const { status } = ensureSymlink(dir, source);
    return { dir, source, mode: 'symlink', files, status };
  }
  const entries = datasetTree(source, 'import-dataset');
  const files = entries
    .filter((e) => e.kind !== 'dir')
    .map((e) => e.rel)
    .sort();
  if (files.length === 0) throw new Error(`import-dataset: ${source} holds no files`);
  const done = (status: ImportResult['status']): ImportResult => ({ dir, source, mode: 'copy', files, status });
  const existing = () => {
    if (isSymlink(dir))
      throw new Error(`import-dataset: ${dir} is a link (an import without --copy): remove it first to copy ${source}`);
    if (sameTree(source, dir, entries)) return done('already imported');
    throw new Error(
      `import-dataset: ${dir} already exists with other content: remove it first to copy ${source} there`,
    );
  };
  if (fs.existsSync(dir) || isSymlink(dir)) return existing();
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.${process.pid}.tmp-copy`;
  try {
    copyTree(source, tmp, entries);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // A parallel import renamed its copy there first (rename onto a non-empty folder: ENOTEMPTY or EEXIST).
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(dir)) return existing();
    throw describeFsError(err, dir, `copy ${source} to`);
  }
  return done('copied');
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function listFilesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      return e.isDirectory() ? listFilesUnder(dir, rel) : [rel];
    })
    .sort();
}
