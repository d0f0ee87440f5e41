// `tools train --config <file>`: trains a framework config through common's run layer (config.yaml, run.json,
// checkpoints/, tensorboard/, metrics, test results, report) in <runs_dir>/<dataset>_<overrides>_fold_<k>/.
import { frameworkApp, runConfig, trainRun, type BackendPreference } from '@research/common';
import type { Command } from 'commander';

type Flags = Record<string, string | boolean | undefined>;

/** The reference's flags and the config keys they set, in the order they name a run folder. */
const FLAG_KEYS: [flag: string, key: string, check: (n: number) => boolean, expected: string][] = [
  ['batch_size', 'data.batch_size', (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1'],
  ['lr', 'optimizer.lr', (n) => Number.isFinite(n) && n > 0, 'a number > 0'],
  ['num_epochs', 'training.num_epochs', (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1'],
  ['fold', 'data.fold', (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0'],
];

/** A flag given as --snake_case or --kebab-case (commander names the latter in camelCase). */
export function flagValue(o: Flags, snake: string): string | undefined {
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const value = o[snake] ?? o[camel];
  return typeof value === 'string' ? value : undefined;
}

/** `--batch_size 32 --lr 0.01` -> `data.batch_size=32 optimizer.lr=0.01`, checked. */
export function flagOverrides(o: Flags): string[] {
  const out: string[] = [];
  for (const [flag, key, check, expected] of FLAG_KEYS) {
    const text = flagValue(o, flag);
    if (text === undefined) continue;
    if (!check(text.trim() === '' ? NaN : Number(text)))
      throw new Error(`--${flag}: expected ${expected}, got '${text}'`);
    out.push(`${key}=${Number(text)}`);
  }
  return out;
}

/** Adds `--<snake> <value>` and its kebab-case alias. */
export function dualOption(command: Command, snake: string, help: string): void {
  command.option(`--${snake} <value>`, help);
  if (snake.includes('_')) command.option(`--${snake.replace(/_/g, '-')} <value>`, `alias of --${snake}`);
}

export function register(program: Command): void {
  const command = program
    .command('train')
    .description('train a framework config (tools init-config): run folder <runs_dir>/<dataset>_<overrides>_fold_<k>/')
    .argument('[overrides...]', 'config overrides, key=value (e.g. optimizer.name=sgd model.architecture=resnet18)')
    .option('--config <file>', 'a framework config (tools init-config); not needed with --resume')
    .option(
      '--resume <run>',
      'continue a run where it stopped: its folder or a checkpoint in it (default checkpoints/last)',
    )
    .option('--output-dir <dir>', 'parent of the run folder (default: training.runs_dir)')
    .option('--backend <name>', 'tensor backend: auto, wasm, cpu, tfjs-node, tfjs-node-gpu', 'auto')
    .option('--no-progress', 'no progress lines');
  for (const [snake, help] of [
    ['fold', 'cross-validation fold (sets data.fold)'],
    ['batch_size', 'sets data.batch_size'],
    ['lr', 'sets optimizer.lr'],
    ['num_epochs', 'sets training.num_epochs'],
  ])
    dualOption(command, snake, help);
  command.action(async (overrides: string[], o: Flags) => {
    const config = typeof o.config === 'string' ? o.config : undefined;
    const resume = typeof o.resume === 'string' ? o.resume : undefined;
    if (!config && !resume) throw new Error('tools train needs --config <file> (or --resume <run>)');
    if (config && resume) throw new Error('--resume continues a run with its own config.yaml: leave out --config');
    const app = frameworkApp({ configFile: config, backend: o.backend as BackendPreference });
    const opts = {
      config,
      resume,
      // The flags first (they name the folder in the reference's order); a key=value of the same key wins.
      overrides: [...flagOverrides(o), ...overrides],
      outputRoot: typeof o.outputDir === 'string' ? o.outputDir : undefined,
      progress: o.progress !== false,
      command: `tools train ${process.argv.slice(3).join(' ')}`.trim(),
    };
    // deterministic: single-threaded wasm, whose sums have one order (bit-identical runs for one seed); read by the
    // backend when it starts, so only before this process's first initialisation.
    const composed = runConfig(app, opts).config;
    if (composed.deterministic && process.env.RESEARCH_WASM_THREADS === undefined) {
      process.env.RESEARCH_WASM_THREADS = '0';
      console.log('[framework] deterministic: true -> single-threaded wasm (RESEARCH_WASM_THREADS=0)');
    }
    // accelerate: the workers are the parallelism; rank 0 (this process) runs one wasm thread like each of them.
    if (composed.training.trainer_type === 'accelerate' && process.env.RESEARCH_WASM_THREADS === undefined) {
      process.env.RESEARCH_WASM_THREADS = '0';
      console.log('[framework] trainer_type: accelerate -> one wasm thread per worker (RESEARCH_WASM_THREADS=0)');
    }
    await trainRun(app, opts);
  });
}
