// Loading a framework config file: strict schema validation with `key=value` overrides (common's composer), then
// the checks that involve several keys.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, composeConfig, nearestKey } from '../config';
import { lookupSchema, type ConfigSchema } from '../config/schema';
import type { ConfigTree } from '../config/tree';
import { frameworkSchema, type FrameworkConfig } from './config-schema';
import { nestSearchSpaceKeys, searchSpaceEntries } from './search-section';

/** Problems that involve several keys (one line each, naming the keys). */
export function crossCheckFrameworkConfig(c: FrameworkConfig): string[] {
  const problems: string[] = [];
  if (c.data.data_dir === '') problems.push('data.data_dir is empty: set it to the folder holding raw/ and splits/');
  for (const key of ['mean', 'std'] as const) {
    if (c.data[key].length !== c.data.channels) {
      problems.push(
        `data.${key} has ${c.data[key].length} values, expected one per channel (data.channels = ${c.data.channels})`,
      );
    }
  }
  if (c.data.std.some((s) => !(s > 0)))
    problems.push(`data.std must be > 0 for every channel, got [${c.data.std.join(', ')}]`);
  if (c.data.class_names.length > 0 && c.data.class_names.length !== c.model.num_classes) {
    problems.push(
      `model.num_classes = ${c.model.num_classes} but data.class_names lists ${c.data.class_names.length} classes`,
    );
  }
  if (c.model.pretrained && c.model.weights === null && c.model.type === 'custom') {
    problems.push('model.pretrained is true for a custom model without model.weights (a safetensors file)');
  }
  for (const key of ['scale', 'ratio'] as const) {
    const [lo, hi] = c.augmentation.random_resized_crop[key];
    if (!(lo > 0 && lo <= hi))
      problems.push(
        `augmentation.random_resized_crop.${key} must be [min, max] with 0 < min <= max, got [${lo}, ${hi}]`,
      );
  }
  for (const [key] of c.search ? searchSpaceEntries(c.search.search_space) : []) {
    const schema = frameworkSchema as ConfigSchema<ConfigTree>;
    if (key === 'search' || key.startsWith('search.')) {
      problems.push(`search.search_space.${key}: the search section cannot search itself`);
    } else if (lookupSchema(schema, key.split('.')).type !== 'leaf') {
      const hint = nearestKey(schema, key);
      problems.push(
        `search.search_space.${key}: not a key of the config` +
          (hint ? ` (did you mean '${hint}'?)` : ' (e.g. optimizer.lr, data.batch_size)'),
      );
    }
  }
  return problems;
}

/**
 * Reads a framework config (e.g. configs/<dataset>_config.yaml), applies `overrides` (`optimizer.lr=0.01`,
 * `data.fold=2`), validates every key and the cross-key rules. Errors name the file and the keys.
 */
export function loadFrameworkConfig(file: string, overrides: readonly string[] = []): FrameworkConfig {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved))
    throw new ConfigError(`config file ${file} does not exist (write one with \`tools init-config <data_dir>\`)`);
  const config = composeConfig<FrameworkConfig>({
    configDir: path.dirname(resolved),
    configName: path.basename(resolved),
    overrides,
    schema: frameworkSchema,
    normalize: nestSearchSpaceKeys,
  });
  const problems = crossCheckFrameworkConfig(config);
  if (problems.length === 1) throw new ConfigError(`invalid config ${file}: ${problems[0]}`);
  if (problems.length > 1)
    throw new ConfigError(`invalid config ${file}, ${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
  return config;
}
