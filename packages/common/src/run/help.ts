// `--help` of an app: its root configs, config groups with their options, and every key with its type and default.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import {
  asLeaf,
  composeConfigDetailed,
  isBranch,
  leafKind,
  type ConfigSchema,
  type DescribedFormat,
  type SchemaLeaf,
} from '../config';
import type { ConfigTree } from '../config/tree';
import type { AppDefinition } from './app';
import { defaultConfigNames } from './train-run';

function typeText(leaf: SchemaLeaf): string {
  const format = leaf.format as unknown;
  if (Array.isArray(format)) return format.map((v) => JSON.stringify(v)).join('|');
  if (typeof format === 'function' && 'expected' in format) return (format as DescribedFormat).expected;
  return leafKind(leaf);
}

function keyLines(schema: ConfigSchema<ConfigTree>, at: string[] = []): string[][] {
  const rows: string[][] = [];
  for (const [key, node] of Object.entries(schema)) {
    const name = [...at, key];
    if (isBranch(node)) rows.push(...keyLines(node, name));
    else {
      const leaf = asLeaf(node);
      rows.push([
        name.join('.'),
        typeText(leaf),
        JSON.stringify(leaf.default) ?? 'none',
        typeof leaf.doc === 'string' ? leaf.doc : '',
      ]);
    }
  }
  return rows;
}

function groupLines(configDir: string): string[] {
  return fs
    .readdirSync(configDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const options = fs
        .readdirSync(path.join(configDir, e.name))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => f.replace(/\.ya?ml$/, ''));
      return options.length ? `  ${e.name}: ${options.sort().join(', ')}` : '';
    })
    .filter(Boolean);
}

/** The text after commander's option list: configs, groups, keys, override syntax. */
export function configHelp<C extends object>(app: AppDefinition<C>): string {
  const { choices } = composeConfigDetailed<C>({
    configDir: app.configDir,
    configName: app.defaultConfig,
    schema: app.schema,
  });
  const schema = (typeof app.schema === 'function' ? app.schema(choices) : app.schema) as ConfigSchema<ConfigTree>;
  const rows = keyLines(schema);
  const widths = [0, 1, 2].map((i) => Math.min(40, Math.max(...rows.map((r) => r[i].length))));
  const groups = groupLines(app.configDir);
  const configs = app.configs ? app.configs.list() : defaultConfigNames(app.configDir);
  return [
    '',
    `Configs (--config): ${configs.join(', ')} (default ${app.defaultConfig})`,
    ...(groups.length ? ['Config groups (select with group=option, add with +group=option):', ...groups] : []),
    `Config keys (override with key=value; defaults of the schema, the config files may set others; --print-config shows the composed config):`,
    ...rows.map((r) =>
      `  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`.trimEnd(),
    ),
  ].join('\n');
}

/** The composed config as YAML (Hydra's `--cfg job`). */
export function configYaml(config: object): string {
  return YAML.stringify(config);
}
