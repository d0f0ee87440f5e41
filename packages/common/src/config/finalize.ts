import convict from 'convict';
import { ConfigError } from './errors';
import { resolveInterpolations } from './interpolate';
import { asLeaf, isBranch, type ConfigSchema } from './schema';
import { findProblems } from './validate';
import { deepClone, getPath, isPlainObject, type ConfigTree, type Origins } from './tree';

/** Keys each finished config holds beyond its schema (added with `+key=value`), so `saveConfig` can record them. */
const addedKeysByConfig = new WeakMap<object, string[]>();

export function addedKeysOf(config: object): string[] {
  return addedKeysByConfig.get(config) ?? [];
}

/** Gives every schema key absent from the tree its default. */
function fillDefaults(tree: ConfigTree, schema: ConfigSchema<ConfigTree>): void {
  for (const [key, node] of Object.entries(schema)) {
    if (isBranch(node)) {
      if (!(key in tree)) tree[key] = {};
      if (isPlainObject(tree[key])) fillDefaults(tree[key] as ConfigTree, node);
    } else if (!(key in tree)) {
      tree[key] = deepClone(asLeaf(node).default);
    }
  }
}

function leafPaths(schema: ConfigSchema<ConfigTree>, at: string[] = []): string[][] {
  return Object.entries(schema).flatMap(([key, node]) => (isBranch(node) ? leafPaths(node, [...at, key]) : [[...at, key]]));
}

/**
 * The last steps shared by compose and load: schema defaults, interpolation, strict validation (ours, with sources;
 * then convict's, which also runs formats registered with convict.addFormat), and a plain typed object.
 */
export function finalizeConfig<T>(tree: ConfigTree, schema: ConfigSchema<ConfigTree>, origins: Origins, addedKeys: string[], label: string): T {
  fillDefaults(tree, schema);
  resolveInterpolations(tree);
  const problems = findProblems(tree, schema, origins);
  if (problems.length === 1) throw new ConfigError(`invalid config ${label}: ${problems[0]}`);
  if (problems.length > 1) throw new ConfigError(`invalid config ${label}, ${problems.length} problems:\n  - ${problems.join('\n  - ')}`);

  const checked = convict(schema as convict.Schema<ConfigTree>, { env: {}, args: [] });
  for (const path of leafPaths(schema)) checked.set(path.join('.'), getPath(tree, path).value);
  try {
    checked.validate({ allowed: 'strict' });
  } catch (err) {
    throw new ConfigError(`invalid config ${label}: ${(err as Error).message}`);
  }
  const config = checked.getProperties() as T;
  addedKeysByConfig.set(config as object, addedKeys);
  return config;
}
