import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The workspace root: the nearest folder above this module that holds nx.json.
 * Resolving from the module (not the cwd) makes paths right whichever folder a command is started from.
 */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`no nx.json found above ${__dirname}: is @research/common inside the workspace?`);
    dir = parent;
  }
  return dir;
}

/** `assets/` at the workspace root, or `$RESEARCH_ASSETS_DIR` when set (e.g. a shared disk on a cluster). */
export function assetsDir(): string {
  return process.env.RESEARCH_ASSETS_DIR
    ? path.resolve(process.env.RESEARCH_ASSETS_DIR)
    : path.join(workspaceRoot(), 'assets');
}

/** Where datasets live: `assets/datasets/<name>`. */
export function datasetsDir(name?: string): string {
  const dir = path.join(assetsDir(), 'datasets');
  return name ? path.join(dir, name) : dir;
}

/** Where model weights live: `assets/models/<repo-id>` (a Hub repo id keeps its `owner/name` form). */
export function modelsDir(repoId?: string): string {
  const dir = path.join(assetsDir(), 'models');
  return repoId ? path.join(dir, ...repoId.split('/')) : dir;
}

/** Where runs write: `assets/outputs/<project>`. */
export function outputsDir(project?: string): string {
  const dir = path.join(assetsDir(), 'outputs');
  return project ? path.join(dir, project) : dir;
}
