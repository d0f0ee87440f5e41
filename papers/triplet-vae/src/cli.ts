// Command-line arguments: `--flag value` / `--flag=value` options and Hydra-style `key=value` config overrides.

export interface ParsedArgs {
  options: Record<string, string>;
  overrides: string[];
}

/** Splits argv into known `--options` and config overrides; an unknown `--option` is an error that lists the known ones. */
export function parseArgs(argv: readonly string[], known: readonly string[]): ParsedArgs {
  const options: Record<string, string> = {};
  const overrides: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      overrides.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!known.includes(name)) throw new Error(`unknown option --${name}; known options: ${known.map((k) => `--${k}`).join(', ')}; config overrides are written key=value`);
    if (eq >= 0) options[name] = arg.slice(eq + 1);
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`option --${name} needs a value`);
      options[name] = value;
      i++;
    }
  }
  return { options, overrides };
}

/** A non-negative integer option, or undefined when absent. */
export function intOption(options: Record<string, string>, name: string, min = 0): number | undefined {
  const text = options[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got '${text}'`);
  return value;
}
