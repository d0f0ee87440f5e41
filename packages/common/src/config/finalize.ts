import convict from 'convict';
import { ConfigError } from './errors';
import { resolveInterpolations } from './interpolate';
import { asLeaf, isBranch, type ConfigSchema } from './schema';
import { findProblems } from './validate';
import { deepClone, getPath, isPlainObject, type ConfigTree, type Origins } from './tree';

/** The option chosen for each config group, e.g. `{model: 'vit', data: 'fashion-mnist'}` (null: none). */
export type GroupChoices = Record<string, string | null>;

/** What `saveConfig` records beside the values: keys added with `+key=value`, and the group choices. */
export interface ConfigProvenance {
  addedKeys: string[];
  choices: GroupChoices;
}

const provenanceByConfig = new WeakMap<object, ConfigProvenance>();

export function provenanceOf(config: object): ConfigProvenance {
  return provenanceByConfig.get(config) ?? { addedKeys: [], choices: {} };
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
  return Object.entries(schema).flatMap(([key, node]) =>
    isBranch(node) ? leafPaths(node, [...at, key]) : [[...at, key]],
  );
}

/**
 * The last steps shared by compose and load: schema defaults, interpolation, strict validation (ours, with sources;
 * then convict's, which also runs formats registered with convict.addFormat), and a plain typed object.
 */
export function finalizeConfig<T>(
  tree: ConfigTree,
  schema: ConfigSchema<ConfigTree>,
  origins: Origins,
  provenance: ConfigProvenance,
  label: string,
): T {
  fillDefaults(tree, schema);
  resolveInterpolations(tree);
  const problems = findProblems(tree, schema, origins);
  if (problems.length === 1) throw new ConfigError(`invalid config ${label}: ${problems[0]}`);
  if (problems.length > 1)
    throw new ConfigError(`invalid config ${label}, ${problems.length} problems:\n  - ${problems.join('\n  - ')}`);

  const checked = convict(schema as convict.Schema<ConfigTree>, { env: {}, args: [] });
  for (const path of leafPaths(schema)) checked.set(path.join('.'), getPath(tree, path).value);
  try {
    checked.validate({ allowed: 'strict' });
  } catch (err) {
    throw new ConfigError(`invalid config ${label}: ${(err as Error).message}`);
  }
  const config = checked.getProperties() as T;
  provenanceByConfig.set(config as object, provenance);
  return config;
}
