// The new-paper generator, shared by `npx tools new-paper <name>` and `npx nx g @research/tools:paper <name>`:
// renders files/ (a `.template` suffix is dropped, __PAPER__ becomes the name) into papers/<name> and links
// papers/<name>/data to assets/datasets.
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { datasetsDir, ensureSymlink, type LinkResult } from '@research/common';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PaperGeneratorSchema {
  name: string;
}

const FILES_DIR = path.join(__dirname, 'files');
const PROJECT_JSON_GLOBS = ['packages', 'papers', 'projects'];

/** A paper name is a folder name and an Nx project name: lowercase words joined by '-'. */
export function checkPaperName(name: string): void {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(
      `paper name "${name}" must be lowercase letters and digits in words joined by '-', e.g. "my-paper"`,
    );
  }
}

/** The files of a new paper, by path relative to papers/<name>. */
export function renderPaperFiles(name: string): Map<string, string> {
  checkPaperName(name);
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(FILES_DIR, rel), { withFileTypes: true })) {
      const from = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(from);
        continue;
      }
      // Stored without the leading dot so that they do not act on this folder.
      const to = from.replace(/\.template$/, '').replace(/(^|\/)gitignore$/, '$1.gitignore');
      files.set(to, fs.readFileSync(path.join(FILES_DIR, from), 'utf8').replaceAll('__PAPER__', name));
    }
  };
  walk('');
  return files;
}

/** Names of the Nx projects of a workspace (from their project.json files). */
function projectNames(root: string): Set<string> {
  const names = new Set<string>();
  const read = (file: string) => {
    if (fs.existsSync(file)) names.add((JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name ?? '');
  };
  read(path.join(root, 'tools', 'project.json'));
  for (const group of PROJECT_JSON_GLOBS) {
    const dir = path.join(root, group);
    if (fs.existsSync(dir)) for (const p of fs.readdirSync(dir)) read(path.join(dir, p, 'project.json'));
  }
  return names;
}

export interface WrittenPaper {
  dir: string;
  files: string[];
  link: LinkResult;
}

/**
 * Writes papers/<name> into the workspace at `root` (through a temporary folder renamed into place, so a failed run
 * leaves nothing) and links its data/ to `datasets` (default assets/datasets).
 */
export function writePaper(root: string, name: string, datasets = datasetsDir()): WrittenPaper {
  const files = renderPaperFiles(name);
  const dir = path.join(root, 'papers', name);
  if (fs.existsSync(dir)) throw new Error(`${dir} already exists`);
  if (projectNames(root).has(name)) throw new Error(`an Nx project named "${name}" already exists`);
  const tmp = path.join(root, 'papers', `.${name}.${process.pid}.tmp`);
  try {
    for (const [rel, content] of files) {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      fs.writeFileSync(path.join(tmp, rel), content);
    }
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  fs.mkdirSync(datasets, { recursive: true });
  return { dir, files: [...files.keys()].sort(), link: ensureSymlink(path.join(dir, 'data'), datasets) };
}

/** The Nx generator: files through Nx's tree (so --dry-run works), the data link once they are written. */
export default async function paperGenerator(tree: Tree, schema: PaperGeneratorSchema): Promise<GeneratorCallback> {
  const files = renderPaperFiles(schema.name);
  const dir = `papers/${schema.name}`;
  if (tree.exists(dir)) throw new Error(`${dir} already exists`);
  if (projectNames(tree.root).has(schema.name)) throw new Error(`an Nx project named "${schema.name}" already exists`);
  for (const [rel, content] of files) tree.write(`${dir}/${rel}`, content);
  return () => {
    const link = ensureSymlink(path.join(tree.root, dir, 'data'), datasetsDir());
    console.log(`${link.link} -> ${link.target}`);
  };
}
