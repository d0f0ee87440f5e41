// Samplers and pruners by name with Optuna's keyword arguments (`n_startup_trials`, `n_warmup_steps`, ...), as a
// config file or a command line names them; unknown or ill-typed arguments are errors naming the argument.
import type { CategoricalChoice } from './distributions';
import {
  HyperbandPruner,
  MedianPruner,
  NopPruner,
  PercentilePruner,
  SuccessiveHalvingPruner,
  type HyperbandOptions,
  type PercentilePrunerOptions,
  type SuccessiveHalvingOptions,
} from './pruners';
import type { Pruner, Sampler } from './sampler';
import { CmaEsSampler } from './samplers/cmaes';
import { GridSampler } from './samplers/grid';
import { RandomSampler } from './samplers/random';
import { TPESampler } from './samplers/tpe';

export const SAMPLER_NAMES = ['tpe', 'random', 'grid', 'cmaes'] as const;
export const PRUNER_NAMES = ['median', 'percentile', 'successive_halving', 'hyperband', 'none'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];
export type PrunerName = (typeof PRUNER_NAMES)[number];

type Kind = 'int' | 'number' | 'boolean' | 'int|auto';
/** Optuna's argument name -> [our option name, type]. */
type ArgTable = Record<string, [string, Kind]>;

const PERCENTILE_ARGS: ArgTable = {
  n_startup_trials: ['nStartupTrials', 'int'],
  n_warmup_steps: ['nWarmupSteps', 'int'],
  interval_steps: ['intervalSteps', 'int'],
  n_min_trials: ['nMinTrials', 'int'],
};

const SAMPLER_ARGS: Record<SamplerName, ArgTable> = {
  tpe: {
    n_startup_trials: ['nStartupTrials', 'int'],
    n_ei_candidates: ['nEiCandidates', 'int'],
    consider_prior: ['considerPrior', 'boolean'],
    prior_weight: ['priorWeight', 'number'],
    consider_magic_clip: ['considerMagicClip', 'boolean'],
    consider_endpoints: ['considerEndpoints', 'boolean'],
  },
  random: {},
  grid: {},
  cmaes: { n_startup_trials: ['nStartupTrials', 'int'], popsize: ['popsize', 'int'], sigma0: ['sigma0', 'number'] },
};

const PRUNER_ARGS: Record<PrunerName, ArgTable> = {
  median: PERCENTILE_ARGS,
  percentile: { percentile: ['percentile', 'number'], ...PERCENTILE_ARGS },
  successive_halving: {
    min_resource: ['minResource', 'int|auto'],
    reduction_factor: ['reductionFactor', 'int'],
    min_early_stopping_rate: ['minEarlyStoppingRate', 'int'],
    bootstrap_count: ['bootstrapCount', 'int'],
  },
  hyperband: {
    min_resource: ['minResource', 'int'],
    max_resource: ['maxResource', 'int|auto'],
    reduction_factor: ['reductionFactor', 'int'],
    bootstrap_count: ['bootstrapCount', 'int'],
  },
  none: {},
};

const KIND_CHECK: Record<Kind, [(v: unknown) => boolean, string]> = {
  int: [(v) => Number.isInteger(v), 'an integer'],
  number: [(v) => typeof v === 'number' && Number.isFinite(v), 'a number'],
  boolean: [(v) => typeof v === 'boolean', 'true or false'],
  'int|auto': [(v) => Number.isInteger(v) || v === 'auto', "an integer or 'auto'"],
};

/** Optuna-named arguments -> our options; `where` names them in errors (`search.sampler_options`). */
function translate(
  args: Record<string, unknown>,
  table: ArgTable,
  owner: string,
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    const entry = table[name];
    if (!entry) {
      const known = Object.keys(table);
      throw new Error(
        `${where}.${name}: not an argument of the ${owner} ` +
          `(${known.length ? `expected ${known.join(', ')}` : 'it takes none'})`,
      );
    }
    const [check, expected] = KIND_CHECK[entry[1]];
    if (!check(value)) throw new Error(`${where}.${name}: expected ${expected}, got ${JSON.stringify(value)}`);
    out[entry[0]] = value;
  }
  return out;
}

export interface SamplerByNameOptions {
  /** Optuna's keyword arguments of that sampler. */
  args?: Record<string, unknown>;
  seed?: number;
  /** The grid sampler's points per parameter. */
  grid?: Record<string, CategoricalChoice[]>;
  /** Names the arguments in errors. Default 'sampler_options'. */
  where?: string;
}

export function samplerByName(name: SamplerName, opts: SamplerByNameOptions = {}): Sampler {
  const args = translate(opts.args ?? {}, SAMPLER_ARGS[name] ?? {}, `${name} sampler`, opts.where ?? 'sampler_options');
  switch (name) {
    case 'tpe':
      return new TPESampler({ ...args, seed: opts.seed });
    case 'random':
      return new RandomSampler({ seed: opts.seed });
    case 'cmaes':
      return new CmaEsSampler({ ...args, seed: opts.seed });
    case 'grid':
      if (!opts.grid) throw new Error('the grid sampler needs the grid of each parameter');
      return new GridSampler(opts.grid, { seed: opts.seed });
    default:
      throw new Error(`unknown sampler '${String(name)}': expected ${SAMPLER_NAMES.join(', ')}`);
  }
}

export interface PrunerByNameOptions {
  args?: Record<string, unknown>;
  /** Hyperband's max_resource when the arguments do not set it (e.g. the number of epochs). Default 'auto'. */
  maxResource?: number | 'auto';
  where?: string;
}

export function prunerByName(name: PrunerName, opts: PrunerByNameOptions = {}): Pruner {
  const args = translate(opts.args ?? {}, PRUNER_ARGS[name] ?? {}, `${name} pruner`, opts.where ?? 'pruner_options');
  switch (name) {
    case 'median':
      return new MedianPruner(args as PercentilePrunerOptions);
    case 'percentile': {
      const { percentile, ...rest } = args as PercentilePrunerOptions & { percentile?: number };
      if (percentile === undefined || !(percentile >= 0 && percentile <= 100)) {
        throw new Error(
          `${opts.where ?? 'pruner_options'}.percentile: the percentile pruner needs a number in [0, 100]`,
        );
      }
      return new PercentilePruner(percentile, rest);
    }
    case 'successive_halving':
      return new SuccessiveHalvingPruner(args as SuccessiveHalvingOptions);
    case 'hyperband':
      return new HyperbandPruner({ maxResource: opts.maxResource, ...(args as HyperbandOptions) });
    case 'none':
      return new NopPruner();
    default:
      throw new Error(`unknown pruner '${String(name)}': expected ${PRUNER_NAMES.join(', ')}`);
  }
}
