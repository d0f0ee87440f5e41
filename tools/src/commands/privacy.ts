// `tools privacy`: the epsilon a DP-SGD run spends (Opacus' RDP accountant), or the noise multiplier a budget needs.
import { RdpAccountant, getNoiseMultiplier } from '@research/common';
import type { Command } from 'commander';

export interface PrivacyCommandOptions {
  sampleRate?: string;
  noiseMultiplier?: string;
  steps?: string;
  epochs?: string;
  delta?: string;
  targetEpsilon?: string;
}

type Range = { min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean; integer?: boolean };

function parseOption(name: string, value: string | undefined, range: Range): number {
  if (value === undefined) throw new Error(`--${name} is required`);
  const x = Number(value);
  const lo = range.min === undefined ? '(-inf' : `${range.minOpen ? '(' : '['}${range.min}`;
  const hi = range.max === undefined ? 'inf)' : `${range.max}${range.maxOpen ? ')' : ']'}`;
  const inRange =
    (range.min === undefined || (range.minOpen ? x > range.min : x >= range.min)) &&
    (range.max === undefined || (range.maxOpen ? x < range.max : x <= range.max));
  if (value.trim() === '' || !Number.isFinite(x) || !inRange || (range.integer && !Number.isInteger(x))) {
    throw new Error(`--${name}: expected ${range.integer ? 'an integer' : 'a number'} in ${lo}, ${hi}, got '${value}'`);
  }
  return x;
}

/** The report's lines: epsilon and the best order, or the noise multiplier for a target epsilon. */
export function runPrivacy(o: PrivacyCommandOptions): string[] {
  const sampleRate = parseOption('sample-rate', o.sampleRate, { min: 0, max: 1, minOpen: true });
  const delta = parseOption('delta', o.delta, { min: 0, max: 1, minOpen: true, maxOpen: true });
  if (o.targetEpsilon !== undefined) {
    if (o.noiseMultiplier !== undefined)
      throw new Error('--target-epsilon finds the noise multiplier: do not give --noise-multiplier too');
    if ((o.epochs === undefined) === (o.steps === undefined))
      throw new Error('--target-epsilon needs exactly one of --epochs or --steps');
    const targetEpsilon = parseOption('target-epsilon', o.targetEpsilon, { min: 0, minOpen: true });
    const epochs = o.epochs === undefined ? undefined : parseOption('epochs', o.epochs, { min: 0, minOpen: true });
    const steps = o.steps === undefined ? undefined : parseOption('steps', o.steps, { min: 1, integer: true });
    const sigma = getNoiseMultiplier({ targetEpsilon, targetDelta: delta, sampleRate, epochs, steps });
    const total = steps ?? Math.trunc((epochs as number) / sampleRate);
    const accountant = new RdpAccountant();
    accountant.history = [{ noiseMultiplier: sigma, sampleRate, steps: total }];
    const spent = accountant.getPrivacySpent(delta);
    return [
      `noise multiplier: ${sigma}`,
      `(epsilon ${spent.epsilon.toFixed(4)} <= ${targetEpsilon} at delta ${delta} after ${total} steps of sample rate ${sampleRate}, best order ${spent.bestOrder})`,
    ];
  }
  if (o.epochs !== undefined) throw new Error('--epochs goes with --target-epsilon; to compute epsilon give --steps');
  const noiseMultiplier = parseOption('noise-multiplier', o.noiseMultiplier, { min: 0 });
  const steps = parseOption('steps', o.steps, { min: 0, integer: true });
  const accountant = new RdpAccountant();
  accountant.history = [{ noiseMultiplier, sampleRate, steps }];
  const spent = accountant.getPrivacySpent(delta);
  const lines = [`epsilon: ${spent.epsilon}`, `best order: ${spent.bestOrder}`];
  if (spent.atEdge) lines.push('note: the best order is at the edge of the default orders; the bound may be loose');
  return lines;
}

export function register(program: Command): void {
  program
    .command('privacy')
    .description(
      "DP-SGD privacy accounting (Opacus' RDP accountant): epsilon of a run, or the noise multiplier for a target epsilon",
    )
    .requiredOption('--sample-rate <q>', 'Poisson sampling rate per step, batch size / dataset size, in (0, 1]')
    .requiredOption('--delta <d>', 'target delta, in (0, 1), usually below 1 / dataset size')
    .option('--noise-multiplier <sigma>', 'noise standard deviation / max grad norm (to compute epsilon)')
    .option('--steps <t>', 'number of noisy steps')
    .option('--target-epsilon <e>', 'find the noise multiplier for this epsilon (with --epochs or --steps)')
    .option('--epochs <k>', 'planned epochs (steps = floor(epochs / sample rate)), with --target-epsilon')
    .action((o: PrivacyCommandOptions) => {
      for (const line of runPrivacy(o)) console.log(line);
    });
}
