// Saving the composed config into a run directory and loading it back: the file alone reproduces the run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './errors';
import { addedKeysOf, finalizeConfig } from './finalize';
import { addFreeLeaf, cloneSchema, type ConfigSchema } from './schema';
import { getPath, isPlainObject, Origins, splitPath, type ConfigTree } from './tree';
import { displayPath, leadingComments, readYamlDocument } from './yaml-file';

const ADDED_KEYS_TAG = '@added-keys:';

/**
 * Writes `<runDir>/config.yaml` (to a temporary name, then renamed). Keys the schema lacks (added with `+key=value`)
 * are listed in a header comment so that `loadConfig` accepts them again. Returns the file's path.
 */
export function saveConfig(runDir: string, config: object): string {
  fs.mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, 'config.yaml');
  const doc = new YAML.Document(config);
  const added = addedKeysOf(config);
  doc.commentBefore = [' The composed, resolved config of this run: loadConfig(thisFile, schema) reproduces it.', ...(added.length ? [` ${ADDED_KEYS_TAG} ${added.join(', ')}`] : [])].join('\n');
  const temporary = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(temporary, doc.toString());
  fs.renameSync(temporary, file);
  return file;
}

/** Reads a saved `config.yaml` and validates it strictly against the schema (defaults fill keys it lacks). */
export function loadConfig<T>(file: string, schema: ConfigSchema<T>): T {
  const doc = readYamlDocument(file);
  const tree = (doc.toJS() ?? {}) as ConfigTree;
  if (!isPlainObject(tree)) throw new ConfigError(`config file ${displayPath(file)} must hold a mapping`);
  const header = leadingComments(file).find((line) => line.startsWith(ADDED_KEYS_TAG));
  const added = header ? header.slice(ADDED_KEYS_TAG.length).split(',').map((k) => k.trim()).filter(Boolean) : [];
  const extended = cloneSchema(schema as ConfigSchema<ConfigTree>);
  for (const key of added) addFreeLeaf(extended, splitPath(key), getPath(tree, splitPath(key)).value);
  const origins = new Origins();
  for (const [key, value] of Object.entries(tree)) origins.record([key], value, displayPath(file));
  return finalizeConfig<T>(tree, extended, origins, added, displayPath(file));
}
