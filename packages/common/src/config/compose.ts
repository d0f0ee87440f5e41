// Hydra-like composition: a root config with a `defaults` list of groups, group option files, then overrides.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './errors';
import { finalizeConfig, type GroupChoices } from './finalize';
import { parseOverride, type Override } from './overrides';
import { addFreeLeaf, cloneSchema, lookupSchema, typeOverrideValue, type ConfigSchema } from './schema';
import { deletePath, getPath, isPlainObject, mergeInto, Origins, setPath, splitPath, type ConfigTree } from './tree';
import { closest, nearestKey } from './validate';
import { displayPath, findCustomTag, leadingComments, readYamlDocument } from './yaml-file';

export type { GroupChoices };

export interface ComposeOptions<T> {
  /** Folder holding `<configName>.yaml` and one folder per group (`model/vit.yaml`, ...). */
  configDir: string;
  /** The root config's name, without extension. Default `config`. */
  configName?: string;
  /** Command-line overrides: `model=vit`, `train.lr=0.01`, `+experiment.name=x`, `~train.clip`. */
  overrides?: readonly string[];
  /** A convict schema, or one built from the chosen group options (e.g. a model schema per architecture). */
  schema: ConfigSchema<T> | ((choices: GroupChoices) => ConfigSchema<T>);
  /** Rewrites the composed tree before validation (e.g. a section whose keys may be written dotted or nested). */
  normalize?: (tree: ConfigTree) => void;
}

type DefaultsEntry =
  | { kind: 'self' }
  | { kind: 'group'; group: string; option: string | null }
  | { kind: 'config'; name: string };

/** `<base>.yaml` or `<base>.yml` (or `base` itself when it already ends in one of them), if it exists. */
function yamlFile(base: string): string | undefined {
  const candidates = /\.ya?ml$/.test(base) ? [base] : ['.yaml', '.yml'].map((ext) => base + ext);
  return candidates.find((file) => fs.existsSync(file));
}

function parseDefaults(raw: unknown, file: string): DefaultsEntry[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new ConfigError(`'defaults' in ${displayPath(file)} must be a list, e.g. "- model: vit"`);
  return raw.map((item): DefaultsEntry => {
    if (item === '_self_') return { kind: 'self' };
    if (typeof item === 'string') return { kind: 'config', name: item };
    if (isPlainObject(item) && Object.keys(item).length === 1) {
      const [group, option] = Object.entries(item)[0];
      if (option === null || typeof option === 'string') return { kind: 'group', group, option };
    }
    throw new ConfigError(
      `defaults entry ${JSON.stringify(item)} in ${displayPath(file)}: expected "group: option", a config name or _self_`,
    );
  });
}

/** `# @package _global_` puts a group file's keys at the top level; `# @package a.b` under `a.b`. */
function packageOf(file: string, group: string): string[] {
  const header = /^@package\s+(\S+)/.exec(leadingComments(file).find((line) => line.startsWith('@package')) ?? '');
  if (!header) return group.split('/');
  return header[1] === '_global_' ? [] : splitPath(header[1]);
}

function groupOptions(configDir: string, group: string): string[] {
  const dir = path.join(configDir, group);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

function isGroupOverride(override: Override, configDir: string, entries: DefaultsEntry[]): boolean {
  if (override.key.includes('.')) return false;
  return (
    entries.some((e) => e.kind === 'group' && e.group === override.key) ||
    fs.existsSync(path.join(configDir, override.key))
  );
}

function applyGroupOverride(override: Override, entries: DefaultsEntry[]): void {
  const index = entries.findIndex((e) => e.kind === 'group' && e.group === override.key);
  const option = override.value === undefined || override.value === 'null' ? null : override.value;
  if (override.op === 'remove') {
    if (index < 0)
      throw new ConfigError(`override '${override.text}': group '${override.key}' is not in the defaults list`);
    entries.splice(index, 1);
  } else if (index >= 0) {
    if (override.op === 'add')
      throw new ConfigError(
        `override '${override.text}': group '${override.key}' is already in the defaults list; select an option with ${override.key}=${override.value}`,
      );
    entries[index] = { kind: 'group', group: override.key, option };
  } else {
    if (override.op === 'set')
      throw new ConfigError(
        `override '${override.text}': group '${override.key}' is not in the defaults list; add it with +${override.key}=${override.value}`,
      );
    entries.push({ kind: 'group', group: override.key, option });
  }
}

/** Config groups: folders of the config directory holding option files. */
function configGroups(configDir: string): string[] {
  return fs
    .readdirSync(configDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && groupOptions(configDir, e.name).length > 0)
    .map((e) => e.name)
    .sort();
}

/** Applies one `key=value` / `+key=value` / `++key=value` / `~key` override to a composed tree. */
export function applyKeyOverride(
  override: Override,
  tree: ConfigTree,
  schema: ConfigSchema<ConfigTree>,
  origins: Origins,
  added: string[],
  groups: string[],
): void {
  const { op, path: keyPath, key, text } = override;
  const lookup = lookupSchema(schema, keyPath);
  const exists = getPath(tree, keyPath).found;
  const source = `override '${text}'`;
  if (op === 'remove') {
    if (!deletePath(tree, keyPath) && lookup.type === 'absent')
      throw new ConfigError(`override '${text}': there is no key '${key}' to remove`);
    return;
  }
  const declared = lookup.type !== 'absent';
  if (op === 'set' && !declared && !exists) {
    const hint = nearestKey(schema, key);
    throw new ConfigError(
      `override '${text}': no key '${key}' in the schema or the config files` +
        (hint ? `; did you mean '${hint}'?` : '') +
        ` (+${text} would add '${key}' as a new key, which nothing reads unless the code asks for it)`,
    );
  }
  // `+name=option` with a bare name selects a group option in Hydra; a name that is no group is almost always a typo.
  if (op === 'add' && keyPath.length === 1 && !declared && !exists) {
    const hint = closest(key, groups);
    throw new ConfigError(
      `override '${text}': there is no config group '${key}'` +
        (hint ? `; did you mean '+${hint}=${override.value}'?` : '') +
        ` Groups: ${groups.join(', ') || '(none)'}. To add a top-level key instead, write +${text}`,
    );
  }
  if (op === 'add' && (exists || lookup.type === 'leaf' || lookup.type === 'branch')) {
    throw new ConfigError(
      `override '${text}': key '${key}' already exists; set it with ${text.slice(1)} (or ++${text.slice(1)})`,
    );
  }
  const custom = findCustomTag(YAML.parseDocument(override.value as string));
  if (custom) {
    throw new ConfigError(
      `override '${text}': the value of '${key}' has the YAML tag ${custom.tag}: a config holds plain values ` +
        '(write the value in quotes to mean its text)',
    );
  }
  const value = typeOverrideValue(override.value as string, lookup.type === 'leaf' ? lookup.leaf : undefined);
  if (!declared && !exists) {
    addFreeLeaf(schema, keyPath, value);
    added.push(key);
  }
  setPath(tree, keyPath, value);
  origins.record(keyPath, value, source);
}

export interface ComposedConfig<T> {
  config: T;
  /** The option selected in each group. */
  choices: GroupChoices;
  /** Keys added with `+key=value` (absent from the schema). */
  addedKeys: string[];
}

/** Composes, overrides, interpolates and validates; also says which group options were chosen. */
export function composeConfigDetailed<T>(opts: ComposeOptions<T>): ComposedConfig<T> {
  const configDir = path.resolve(opts.configDir);
  const rootFile = yamlFile(path.join(configDir, opts.configName ?? 'config'));
  if (!rootFile)
    throw new ConfigError(`no root config '${opts.configName ?? 'config'}.yaml' in ${displayPath(configDir)}`);
  const rootDoc = readYamlDocument(rootFile);
  const root = (rootDoc.toJS() ?? {}) as ConfigTree;
  if (!isPlainObject(root)) throw new ConfigError(`config file ${displayPath(rootFile)} must hold a mapping`);
  const entries = parseDefaults(root.defaults, rootFile);
  delete root.defaults;

  const overrides = (opts.overrides ?? []).map(parseOverride);
  const keyOverrides: Override[] = [];
  const fileEntries = entries.length;
  for (const override of overrides) {
    if (isGroupOverride(override, configDir, entries)) applyGroupOverride(override, entries);
    else keyOverrides.push(override);
  }
  // As in Hydra, a root config that does not place `_self_` is merged after its defaults, but before the groups added
  // on the command line (`+recipe=smoke` overrides the root's own values, as Hydra's experiment pattern expects).
  if (!entries.some((e) => e.kind === 'self'))
    entries.splice(Math.min(fileEntries, entries.length), 0, { kind: 'self' });

  const tree: ConfigTree = {};
  const origins = new Origins();
  const choices: GroupChoices = {};
  for (const entry of entries) {
    if (entry.kind === 'self') {
      mergeInto(tree, root, origins, [], displayPath(rootFile));
      continue;
    }
    if (entry.kind === 'group') choices[entry.group] = entry.option;
    if (entry.kind === 'group' && entry.option === null) continue;
    const base =
      entry.kind === 'group'
        ? path.join(configDir, entry.group, entry.option as string)
        : path.join(configDir, entry.name);
    const file = yamlFile(base);
    if (!file) {
      if (entry.kind === 'config')
        throw new ConfigError(`defaults of ${displayPath(rootFile)}: no config file ${displayPath(base)}.yaml`);
      const options = groupOptions(configDir, entry.group);
      throw new ConfigError(
        `no option '${entry.option}' in config group '${entry.group}' (looked for ${displayPath(base)}.yaml); ` +
          (options.length
            ? `available: ${options.join(', ')}`
            : `the folder ${displayPath(path.join(configDir, entry.group))} has no .yaml files`),
      );
    }
    const doc = readYamlDocument(file);
    const content = (doc.toJS() ?? {}) as ConfigTree;
    if (!isPlainObject(content)) throw new ConfigError(`config file ${displayPath(file)} must hold a mapping`);
    if ('defaults' in content)
      throw new ConfigError(`${displayPath(file)}: a 'defaults' list is only supported in the root config`);
    const at = entry.kind === 'group' ? packageOf(file, entry.group) : [];
    let target = tree;
    for (const part of at) {
      if (!isPlainObject(target[part])) target[part] = {};
      target = target[part] as ConfigTree;
    }
    mergeInto(target, content, origins, at, displayPath(file));
  }

  const schema = cloneSchema(
    (typeof opts.schema === 'function' ? opts.schema(choices) : opts.schema) as ConfigSchema<ConfigTree>,
  );
  const addedKeys: string[] = [];
  const groups = configGroups(configDir);
  for (const override of keyOverrides) applyKeyOverride(override, tree, schema, origins, addedKeys, groups);
  opts.normalize?.(tree);

  const config = finalizeConfig<T>(tree, schema, origins, { addedKeys, choices }, displayPath(rootFile));
  return { config, choices, addedKeys };
}

/** Composes a config the Hydra way and returns the validated, interpolated plain object. */
export function composeConfig<T>(opts: ComposeOptions<T>): T {
  return composeConfigDetailed(opts).config;
}
