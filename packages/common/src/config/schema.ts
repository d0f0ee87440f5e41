// Reading convict schemas: which node a dotted path names, what kind of value a leaf takes, how to check a value
// and how to type a command-line string for it. Range-checked formats (`numberIn`, `intIn`, `arrayOf`) live here too.
import type * as convict from 'convict';
import YAML from 'yaml';
import { isPlainObject, type ConfigTree } from './tree';

export type ConfigSchema<T = unknown> = convict.Schema<T>;
export type SchemaLeaf = convict.SchemaObj;

/** The kind of value a leaf takes: decides how an override string is typed. */
export type ValueKind = 'number' | 'int' | 'boolean' | 'string' | 'array' | 'object' | 'enum' | 'any';

/** A format function carrying what it accepts, so overrides can be typed and errors can say what was expected. */
export interface DescribedFormat {
  (value: unknown): void;
  kind: ValueKind;
  expected: string;
}

function describedFormat(kind: ValueKind, expected: string, check: (value: unknown) => boolean): DescribedFormat {
  const format = ((value: unknown) => {
    if (!check(value)) throw new Error(`expected ${expected}`);
  }) as DescribedFormat;
  format.kind = kind;
  format.expected = expected;
  return format;
}

function rangeText(min: number, max: number, minExclusive = false, maxExclusive = false): string {
  if (max === Infinity) return `${minExclusive ? '>' : '>='} ${min}`;
  if (min === -Infinity) return `${maxExclusive ? '<' : '<='} ${max}`;
  return `in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
}

/** A number in a range, e.g. `numberIn(0, 1, {minExclusive: true})` for a learning rate in (0, 1]. */
export function numberIn(
  min: number,
  max: number,
  opts: { minExclusive?: boolean; maxExclusive?: boolean } = {},
): DescribedFormat {
  const { minExclusive = false, maxExclusive = false } = opts;
  return describedFormat(
    'number',
    `a number ${rangeText(min, max, minExclusive, maxExclusive)}`,
    (v) =>
      typeof v === 'number' &&
      !Number.isNaN(v) &&
      (minExclusive ? v > min : v >= min) &&
      (maxExclusive ? v < max : v <= max),
  );
}

/** An integer in `[min, max]`. */
export function intIn(min: number, max = Infinity): DescribedFormat {
  return describedFormat(
    'int',
    `an integer ${rangeText(min, max)}`,
    (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
  );
}

/** An array whose elements are numbers, integers or strings, optionally of a fixed length. */
export function arrayOf(element: 'number' | 'int' | 'string', opts: { length?: number } = {}): DescribedFormat {
  const isElement = {
    number: (v: unknown) => typeof v === 'number' && !Number.isNaN(v),
    int: Number.isInteger,
    string: (v: unknown) => typeof v === 'string',
  }[element];
  const noun = { number: 'numbers', int: 'integers', string: 'strings' }[element];
  const expected = opts.length === undefined ? `an array of ${noun}` : `an array of ${opts.length} ${noun}`;
  return describedFormat(
    'array',
    expected,
    (v) => Array.isArray(v) && v.every(isElement) && (opts.length === undefined || v.length === opts.length),
  );
}

/** A convict branch is a non-empty object without `default`; anything else is a leaf (convict's own rule). */
export function isBranch(node: unknown): node is ConfigSchema<ConfigTree> {
  return isPlainObject(node) && Object.keys(node).length > 0 && !('default' in node);
}

export function asLeaf(node: unknown): SchemaLeaf {
  return isPlainObject(node) && 'default' in node ? (node as SchemaLeaf) : { default: node };
}

export type SchemaLookup =
  | { type: 'branch'; node: ConfigSchema<ConfigTree> }
  | { type: 'leaf'; leaf: SchemaLeaf }
  /** Inside a leaf that holds a free-form object (`format: Object` or `'*'`): any key is allowed there. */
  | { type: 'free' }
  | { type: 'absent' };

export function lookupSchema(schema: ConfigSchema<ConfigTree>, path: string[]): SchemaLookup {
  let node: unknown = schema;
  for (let i = 0; i < path.length; i++) {
    if (!isBranch(node)) {
      const kind = leafKind(asLeaf(node));
      return kind === 'object' || kind === 'any' ? { type: 'free' } : { type: 'absent' };
    }
    if (!Object.prototype.hasOwnProperty.call(node, path[i])) return { type: 'absent' };
    node = (node as ConfigTree)[path[i]];
  }
  return isBranch(node) ? { type: 'branch', node } : { type: 'leaf', leaf: asLeaf(node) };
}

const builtinKinds = new Map<unknown, ValueKind>([
  [Number, 'number'],
  ['Number', 'number'],
  ['int', 'int'],
  ['integer', 'int'],
  ['nat', 'int'],
  ['port', 'int'],
  [Boolean, 'boolean'],
  ['Boolean', 'boolean'],
  [String, 'string'],
  ['String', 'string'],
  [Array, 'array'],
  ['Array', 'array'],
  [Object, 'object'],
  ['Object', 'object'],
  ['*', 'any'],
]);

export function leafKind(leaf: SchemaLeaf): ValueKind {
  const format = leaf.format;
  if (format === undefined) {
    const d = leaf.default;
    if (typeof d === 'number') return 'number';
    if (typeof d === 'boolean') return 'boolean';
    if (typeof d === 'string') return 'string';
    if (Array.isArray(d)) return 'array';
    return isPlainObject(d) ? 'object' : 'any';
  }
  if (Array.isArray(format)) return 'enum';
  if (typeof format === 'function' && 'kind' in format) return (format as DescribedFormat).kind;
  return builtinKinds.get(format) ?? 'any';
}

/** Checks one leaf value; returns what was expected when it does not fit, else undefined. */
export function checkLeaf(leaf: SchemaLeaf, value: unknown): string | undefined {
  if (value === null) return leaf.nullable ? undefined : `${expectedText(leaf)} (null is not allowed here)`;
  const format = leaf.format;
  const fits = (ok: boolean) => (ok ? undefined : expectedText(leaf));
  switch (format === undefined ? leafKind(leaf) : format) {
    case Number:
    case 'Number':
    case 'number':
      return fits(typeof value === 'number' && !Number.isNaN(value));
    case 'int':
    case 'integer':
      return fits(Number.isInteger(value));
    case 'nat':
      return fits(Number.isInteger(value) && (value as number) >= 0);
    case 'port':
      return fits(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535);
    case Boolean:
    case 'Boolean':
    case 'boolean':
      return fits(typeof value === 'boolean');
    case String:
    case 'String':
    case 'string':
      return fits(typeof value === 'string');
    case Array:
    case 'Array':
    case 'array':
      return fits(Array.isArray(value));
    case Object:
    case 'Object':
    case 'object':
      return fits(isPlainObject(value));
    case '*':
    case 'any':
      return undefined;
  }
  if (Array.isArray(format)) return fits(format.includes(value));
  if (typeof format === 'function') {
    try {
      (format as (v: unknown, schema: SchemaLeaf) => void)(value, leaf);
      return undefined;
    } catch (err) {
      return (err as Error).message.replace(/^expected /, '') || expectedText(leaf);
    }
  }
  // A format registered with convict.addFormat: convict's own validation checks it afterwards.
  return undefined;
}

export function expectedText(leaf: SchemaLeaf): string {
  const format = leaf.format;
  if (typeof format === 'function' && 'expected' in format) return (format as DescribedFormat).expected;
  if (Array.isArray(format)) return `one of ${format.map((v) => JSON.stringify(v)).join(', ')}`;
  switch (format) {
    case 'nat':
      return 'an integer >= 0';
    case 'port':
      return 'an integer in [0, 65535]';
  }
  return {
    number: 'a number',
    int: 'an integer',
    boolean: 'a boolean (true or false)',
    string: 'a string',
    array: 'an array',
    object: 'an object (a mapping)',
    enum: 'one of the allowed values',
    any: 'any value',
  }[leafKind(leaf)];
}

function parseYamlOr(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch {
    return text;
  }
}

/**
 * Types a command-line value for a leaf: `lr=0.1` is a number where the schema wants one, `name=123` stays a string
 * where it wants a string. A value that cannot be typed stays a string, so validation reports it with the key.
 */
export function typeOverrideValue(text: string, leaf: SchemaLeaf | undefined): unknown {
  if (text.includes('${')) return text; // an interpolation: resolved (and checked) after composition
  if (text === 'null') return null;
  if (leaf === undefined) return parseYamlOr(text);
  switch (leafKind(leaf)) {
    case 'number':
    case 'int': {
      const n = text.trim() === '' ? NaN : Number(text);
      return Number.isNaN(n) ? text : n;
    }
    case 'boolean':
      return /^(true|false)$/i.test(text) ? text.toLowerCase() === 'true' : text;
    case 'string':
      return /^(["']).*\1$/s.test(text) ? text.slice(1, -1) : text;
    case 'array':
      if (text.trim().startsWith('[')) return parseYamlOr(text);
      return text === '' ? [] : text.split(',').map((part) => parseYamlOr(part.trim()));
    case 'enum': {
      const options = leaf.format as unknown[];
      if (options.includes(text)) return text;
      const parsed = parseYamlOr(text);
      return options.includes(parsed) ? parsed : text;
    }
    default:
      return parseYamlOr(text);
  }
}

/** A copy of the schema's branches (leaves shared) so keys added with `+key=value` do not touch the caller's schema. */
export function cloneSchema(schema: ConfigSchema<ConfigTree>): ConfigSchema<ConfigTree> {
  const out: ConfigTree = {};
  for (const [k, v] of Object.entries(schema)) out[k] = isBranch(v) ? cloneSchema(v) : v;
  return out as ConfigSchema<ConfigTree>;
}

/** Declares `path` as a free-form leaf (any value), creating branches on the way. */
export function addFreeLeaf(schema: ConfigSchema<ConfigTree>, path: string[], value: unknown): void {
  let node = schema as ConfigTree;
  for (const part of path.slice(0, -1)) {
    if (!isBranch(node[part])) node[part] = {};
    node = node[part] as ConfigTree;
  }
  node[path[path.length - 1]] = { doc: 'added with +key=value', format: '*', default: value ?? null, nullable: true };
}
