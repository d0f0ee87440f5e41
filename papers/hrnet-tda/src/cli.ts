// Shared command-line handling of the train / valid / analyze / experiment scripts.
import { parseArgs } from 'util';
import { initBackend } from '@research/common';
import { type HrnetExperiment, experimentShortName, loadExperiment, resolveExperimentPath } from './config';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

export interface ParsedCli {
  values: Record<string, string | boolean | undefined>;
  /** KEY.PATH=value experiment overrides given as positional arguments. */
  overrides: string[];
}

export function parseCli(argv: string[], options: OptionSpec, usage: string): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new Error(`${(err as Error).message}\nusage: ${usage}`, { cause: err });
  }
  if (parsed.values.help) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  const bad = parsed.positionals.filter((p) => !/^[A-Z_][A-Z0-9_.]*=/.test(p));
  if (bad.length > 0) throw new Error(`unexpected argument(s) ${bad.join(' ')}: overrides look like TRAIN.LR=0.01\nusage: ${usage}`);
  return { values: parsed.values as ParsedCli['values'], overrides: parsed.positionals };
}

/** The experiment named by --cfg, with overrides, and its short name. */
export function experimentFromCli(cfg: string | boolean | undefined, overrides: string[], usage: string): { experiment: HrnetExperiment; name: string; file: string } {
  if (typeof cfg !== 'string') throw new Error(`--cfg is required\nusage: ${usage}`);
  const file = resolveExperimentPath(cfg);
  return { experiment: loadExperiment(file, overrides), name: experimentShortName(file), file };
}

/** Runs an async main with the backend initialised; errors print their message and exit 1. */
export function runMain(main: () => Promise<void>): void {
  // Exit explicitly: the wasm backend's worker threads would keep the process alive after main resolves.
  initBackend()
    .then(main)
    .then(() => process.exit(0))
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}

export function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
