import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './errors';

/** A path as it reads best in a message: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
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
