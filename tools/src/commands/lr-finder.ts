// `tools lr-finder --config <file>`: the LR range test of a framework config on its fold's training images.
import { initBackend, loadFrameworkConfig, runFrameworkLrFinder, type LrRangeTestOptions } from '@research/common';
import type { Command } from 'commander';

type Flags = Record<string, string | undefined>;

/** A flag given as --snake_case or --kebab-case (commander names the latter in camelCase). */
function flag(o: Flags, snake: string): string | undefined {
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return o[snake] ?? o[camel];
}

function numberFlag(o: Flags, snake: string, check: (n: number) => boolean, expected: string): number | undefined {
  const text = flag(o, snake);
  if (text === undefined) return undefined;
  const n = text.trim() === '' ? NaN : Number(text);
  if (!check(n)) throw new Error(`--${snake}: expected ${expected}, got '${text}'`);
  return n;
}

export function register(program: Command): void {
  const command = program
    .command('lr-finder')
    .description(
      "LR range test: exponential LR sweep on the fold's training images; writes lr_finder_<timestamp>/ (plot, results.json, log)",
    )
    .requiredOption('--config <file>', 'a framework config (tools init-config)')
    .argument('[overrides...]', 'config overrides, key=value (e.g. optimizer.name=sgd data.batch_size=64)')
    .option('--output <dir>', 'parent folder of lr_finder_<timestamp> (default: training.runs_dir)')
    .option('--backend <name>', 'tensor backend: auto, wasm, cpu, tfjs-node, tfjs-node-gpu', 'auto');
  for (const [snake, help] of [
    ['start_lr', 'first learning rate (default 1e-7)'],
    ['end_lr', 'last learning rate (default 1)'],
    ['num_iter', 'iterations (default 200)'],
    ['beta', 'loss smoothing factor (default 0.98)'],
    ['diverge_threshold', 'stop when the smoothed loss exceeds this x its minimum (default 4)'],
    ['fold', 'cross-validation fold (default data.fold)'],
  ]) {
    command.option(`--${snake} <value>`, help);
    if (snake.includes('_')) command.option(`--${snake.replace(/_/g, '-')} <value>`, `alias of --${snake}`);
  }
  command.action(async (overrides: string[], o: Flags) => {
    const positive = (n: number) => Number.isFinite(n) && n > 0;
    const options: LrRangeTestOptions & { fold?: number } = {
      startLr: numberFlag(o, 'start_lr', positive, 'a number > 0'),
      endLr: numberFlag(o, 'end_lr', positive, 'a number > 0'),
      numIter: numberFlag(o, 'num_iter', (n) => Number.isInteger(n) && n >= 2, 'an integer >= 2'),
      beta: numberFlag(o, 'beta', (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
      divergeThreshold: numberFlag(o, 'diverge_threshold', (n) => n > 1, 'a number > 1'),
      fold: numberFlag(o, 'fold', (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0'),
    };
    for (const key of Object.keys(options) as (keyof typeof options)[])
      if (options[key] === undefined) delete options[key];
    const config = loadFrameworkConfig(o.config as string, overrides);
    await initBackend((o.backend ?? 'auto') as Parameters<typeof initBackend>[0]);
    const total = options.numIter ?? 200;
    const { dir, result } = await runFrameworkLrFinder(config, {
      ...options,
      outputDir: o.output,
      onIteration: ({ iteration, lr, loss, smoothed }) => {
        if (iteration % 20 === 0 || iteration === total - 1) {
          console.log(
            `iter ${iteration + 1}/${total}  lr ${lr.toExponential(3)}  loss ${loss.toFixed(4)}  smoothed ${smoothed.toFixed(4)}`,
          );
        }
      },
    });
    if (result.stoppedEarly) console.log(`stopped early: ${result.stoppedEarly}`);
    console.log(
      result.suggestion
        ? `suggested lr: ${result.suggestion.lr.toExponential(3)} (steepest descent of the smoothed loss, torch-lr-finder's rule)`
        : 'no suggestion: too few iterations left after skipping the first 10 and last 5',
    );
    console.log(`wrote ${dir}`);
  });
}
