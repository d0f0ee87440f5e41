import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './errors';

/** A path as it reads best in a message: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

// The tags of YAML's core schema: a config holds plain data. Any other tag (`!!js/function`, `!!python/object`,
// `!custom`) would be ignored by the parser and its text kept as a string, so it is refused instead.
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** The first node of a document with a tag outside YAML's core schema: its key path, tag and offset in the text. */
export function findCustomTag(doc: YAML.Document): { key: string; tag: string; offset: number } | undefined {
  let found: { key: string; tag: string; offset: number } | undefined;
  YAML.visit(doc, {
    Node(key, node, path) {
      if (!node.tag || CORE_TAGS.has(node.tag)) return undefined;
      const keys = path.filter(YAML.isPair).map((pair) => String(YAML.isScalar(pair.key) ? pair.key.value : pair.key));
      if (typeof key === 'number') keys.push(`[${key}]`);
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
      found = { key: keys.join('.').replace(/\.\[/g, '[') || '(top level)', tag, offset: node.range?.[0] ?? 0 };
      return YAML.visit.BREAK;
    },
  });
  return found;
}

/** Parses a YAML file into a document; syntax errors name the file and line. */
export function readYamlDocument(file: string): YAML.Document.Parsed {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${displayPath(file)}: ${(err as Error).message}`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(`invalid YAML in ${displayPath(file)}: ${doc.errors[0].message}`);
  const custom = findCustomTag(doc);
  if (custom) {
    throw new ConfigError(
      `config file ${displayPath(file)}, line ${text.slice(0, custom.offset).split('\n').length}: key '${custom.key}' ` +
        `has the YAML tag ${custom.tag}: a config holds plain ` +
        'values (tags other than !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are refused)',
    );
  }
  return doc;
}

/** The mapping at the top of a YAML file (an empty file is an empty mapping). */
export function readYamlMapping(file: string): Record<string, unknown> {
  const value = readYamlDocument(file).toJS() as unknown;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `config file ${displayPath(file)} must hold a mapping (key: value lines), found ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

/** The comment lines at the top of a YAML file, without their `#` (where `# @package` and similar directives live). */
export function leadingComments(file: string): string[] {
  const lines: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line.slice(1).trim());
  }
  return lines;
}
