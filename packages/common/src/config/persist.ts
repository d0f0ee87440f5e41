// Saving the composed config into a run directory and loading it back: the file alone reproduces the run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from '../io';
import { ConfigError } from './errors';
import { applyKeyOverride } from './compose';
import { finalizeConfig, provenanceOf, type GroupChoices } from './finalize';
import { parseOverride } from './overrides';
import { addFreeLeaf, cloneSchema, type ConfigSchema } from './schema';
import { getPath, isPlainObject, Origins, splitPath, type ConfigTree } from './tree';
import { displayPath, leadingComments, readYamlDocument } from './yaml-file';

const ADDED_KEYS_TAG = '@added-keys:';
const CHOICES_TAG = '@choices:';

/**
 * Writes `<runDir>/config.yaml` (to a temporary name, then renamed). Header comments record the group choices and
 * the keys the schema lacks (added with `+key=value`), so that `loadConfig` can rebuild the same schema. Returns the
 * file's path.
 */
export function saveConfig(runDir: string, config: object): string {
  fs.mkdirSync(runDir, { recursive: true });
  const file = path.join(runDir, 'config.yaml');
  const doc = new YAML.Document(config);
  const { addedKeys, choices } = provenanceOf(config);
  const choiceText = Object.entries(choices).map(([group, option]) => `${group}=${option ?? 'null'}`);
  doc.commentBefore = [
    ' The composed, resolved config of this run: loadConfig(thisFile, schema) reproduces it.',
    ...(choiceText.length ? [` ${CHOICES_TAG} ${choiceText.join(', ')}`] : []),
    ...(addedKeys.length ? [` ${ADDED_KEYS_TAG} ${addedKeys.join(', ')}`] : []),
  ].join('\n');
  writeFileAtomic(file, doc.toString());
  return file;
}

function headerList(file: string, tag: string): string[] | undefined {
  const line = leadingComments(file).find((l) => l.startsWith(tag));
  return line === undefined
    ? undefined
    : line
        .slice(tag.length)
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

/**
 * Reads a saved `config.yaml` and validates it strictly against the schema (defaults fill keys it lacks). A schema
 * built from group choices gets the choices recorded in the file. `overrides` (`key=value`, `+key=value`, `~key`)
 * change keys of the saved config; its group choices are fixed.
 */
export function loadConfig<T>(
  file: string,
  schema: ConfigSchema<T> | ((choices: GroupChoices) => ConfigSchema<T>),
  overrides: readonly string[] = [],
): T {
  const doc = readYamlDocument(file);
  const tree = (doc.toJS() ?? {}) as ConfigTree;
  if (!isPlainObject(tree)) throw new ConfigError(`config file ${displayPath(file)} must hold a mapping`);
  const choices: GroupChoices = {};
  for (const item of headerList(file, CHOICES_TAG) ?? []) {
    const [group, option] = item.split('=');
    choices[group] = option === 'null' ? null : option;
  }
  if (typeof schema === 'function' && headerList(file, CHOICES_TAG) === undefined) {
    throw new ConfigError(
      `${displayPath(file)} records no group choices (no '# ${CHOICES_TAG}' line) to build the schema from; pass a schema object`,
    );
  }
  const added = headerList(file, ADDED_KEYS_TAG) ?? [];
  const extended = cloneSchema((typeof schema === 'function' ? schema(choices) : schema) as ConfigSchema<ConfigTree>);
  for (const key of added) addFreeLeaf(extended, splitPath(key), getPath(tree, splitPath(key)).value);
  const origins = new Origins();
  for (const [key, value] of Object.entries(tree)) origins.record([key], value, displayPath(file));
  for (const text of overrides) {
    const override = parseOverride(text);
    if (!override.key.includes('.') && override.key in choices) {
      throw new ConfigError(
        `override '${text}': the group choices of a saved config (${displayPath(file)}) are fixed; start a new run to change '${override.key}'`,
      );
    }
    applyKeyOverride(override, tree, extended, origins, added, []);
  }
  return finalizeConfig<T>(tree, extended, origins, { addedKeys: added, choices }, displayPath(file));
}
