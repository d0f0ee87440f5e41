import { ConfigError } from './errors';
import { splitPath } from './tree';

/**
 * One command-line override, Hydra style:
 * `a.b=v` set a key, `+a.b=v` add a key the schema lacks, `++a.b=v` set or add, `~a.b` remove,
 * and with a group name (`model=vit`, `+model=vit`, `~model`) select, add or drop a group option.
 */
export interface Override {
  op: 'set' | 'add' | 'force' | 'remove';
  key: string;
  path: string[];
  /** The raw text after `=`; undefined for `~key`. */
  value?: string;
  text: string;
}

const overridePattern = /^(~|\+\+|\+)?([A-Za-z_][\w\-/]*(?:\.[\w\-/]+)*)(?:=(.*))?$/s;

export function parseOverride(text: string): Override {
  const match = overridePattern.exec(text.trim());
  if (!match)
    throw new ConfigError(
      `invalid override '${text}': expected key=value, +key=value, ++key=value or ~key (keys are dotted names like train.lr)`,
    );
  const [, prefix, key, value] = match;
  const op = prefix === '~' ? 'remove' : prefix === '++' ? 'force' : prefix === '+' ? 'add' : 'set';
  if (op !== 'remove' && value === undefined)
    throw new ConfigError(`invalid override '${text}': missing '=value' (to remove a key write ~${key})`);
  return { op, key, path: splitPath(key), value, text };
}
