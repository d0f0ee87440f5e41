// Optuna's TPESampler (univariate, single objective) with its defaults: random start-up trials, then for each
// parameter the observations split into the best gamma(n) ("below") and the rest ("above"), a Parzen estimator
// for each, n_ei_candidates draws from the good one, and the draw with the largest log l(x) - log g(x) wins.
// Pruned trials rank by (-last step, last intermediate value) as in Optuna. Numbers match Optuna 3.1 for a seed
// (the default); `normalizedLogPdf` switches to the density of later Optuna releases (see ParzenEstimatorParameters).
import { Distribution, ParamValue, toExternalRepr, toInternalRepr } from '../distributions';
import { NumpyRandomState } from '../numpy-random';
import type { Sampler } from '../sampler';
import type { Study } from '../study';
import type { FrozenTrial } from '../types';
import { defaultGamma, defaultWeights, ParzenEstimator, ParzenEstimatorParameters } from './parzen-estimator';
import { RandomSampler } from './random';

export interface TPESamplerOptions {
  considerPrior?: boolean;
  priorWeight?: number;
  considerMagicClip?: boolean;
  considerEndpoints?: boolean;
  nStartupTrials?: number;
  nEiCandidates?: number;
  gamma?: (n: number) => number;
  weights?: (n: number) => number[];
  seed?: number;
  normalizedLogPdf?: boolean;
}

/** (step rank, loss): lexicographic order as Optuna's _split_observation_pairs. */
export type Score = [number, number];

/** Scores and one parameter's internal values (null when a trial lacks it) of COMPLETE and PRUNED trials. */
export function observationPairs(
  trials: FrozenTrial[],
  name: string,
  minimize: boolean,
): { scores: Score[]; values: Array<number | null> } {
  const sign = minimize ? 1 : -1;
  const scores: Score[] = [];
  const values: Array<number | null> = [];
  for (const t of trials) {
    let score: Score;
    if (t.state === 'COMPLETE') {
      if (t.values === null) continue;
      score = [-Infinity, sign * t.values[0]];
    } else if (t.state === 'PRUNED') {
      let last: number | null = null;
      for (const step of t.intermediateValues.keys()) if (last === null || step > last) last = step;
      if (last !== null) {
        const v = t.intermediateValues.get(last) as number;
        score = Number.isNaN(v) ? [-last, Infinity] : [-last, sign * v];
      } else score = [1, 0];
    } else continue;
    scores.push(score);
    const dist = t.distributions[name];
    values.push(dist ? toInternalRepr(dist, t.params[name]) : null);
  }
  return { scores, values };
}

/** Indices (chronological) of the nBelow best scores and of the rest; ties keep trial order. */
export function splitObservationPairs(scores: Score[], nBelow: number): { below: number[]; above: number[] } {
  const order = scores
    .map((_, i) => i)
    .sort((i, j) => compareLoss(scores[i][0], scores[j][0]) || compareLoss(scores[i][1], scores[j][1]) || i - j);
  return {
    below: order.slice(0, nBelow).sort((a, b) => a - b),
    above: order.slice(nBelow).sort((a, b) => a - b),
  };
}

function compareLoss(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export class TPESampler implements Sampler {
  readonly rng: NumpyRandomState;
  readonly randomSampler: RandomSampler;
  readonly parzenParams: ParzenEstimatorParameters;
  readonly nStartupTrials: number;
  readonly nEiCandidates: number;
  readonly gamma: (n: number) => number;

  constructor(opts: TPESamplerOptions = {}) {
    this.parzenParams = {
      considerPrior: opts.considerPrior ?? true,
      priorWeight: opts.priorWeight ?? 1.0,
      considerMagicClip: opts.considerMagicClip ?? true,
      considerEndpoints: opts.considerEndpoints ?? false,
      weights: opts.weights ?? defaultWeights,
      normalizedLogPdf: opts.normalizedLogPdf ?? false,
    };
    this.nStartupTrials = opts.nStartupTrials ?? 10;
    this.nEiCandidates = opts.nEiCandidates ?? 24;
    this.gamma = opts.gamma ?? defaultGamma;
    // Optuna seeds both its own stream and its start-up RandomSampler with the same seed.
    this.rng = new NumpyRandomState(opts.seed);
    this.randomSampler = new RandomSampler({ seed: opts.seed });
  }

  async sampleIndependent(
    study: Study,
    _trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): Promise<ParamValue> {
    const trials = await study.getTrials(['COMPLETE', 'PRUNED']);
    return this.sampleFromTrials(trials, study.direction === 'MINIMIZE', name, distribution);
  }

  /** The TPE step on a given history (exposed for tests and benchmarks). */
  sampleFromTrials(trials: FrozenTrial[], minimize: boolean, name: string, distribution: Distribution): ParamValue {
    const { scores, values } = observationPairs(trials, name, minimize);
    const n = scores.length;
    if (n < this.nStartupTrials) return this.randomSampler.draw(distribution);
    const { below, above } = splitObservationPairs(scores, this.gamma(n));
    const pick = (idx: number[]): number[] => idx.map((i) => values[i]).filter((v): v is number => v !== null);
    const estimatorBelow = new ParzenEstimator(pick(below), distribution, this.parzenParams);
    const estimatorAbove = new ParzenEstimator(pick(above), distribution, this.parzenParams);
    const candidates = estimatorBelow.sample(this.rng, this.nEiCandidates);
    const logL = estimatorBelow.logPdf(candidates);
    const logG = estimatorAbove.logPdf(candidates);
    let best = 0;
    for (let i = 1; i < candidates.length; i++) if (logL[i] - logG[i] > logL[best] - logG[best]) best = i;
    return toExternalRepr(distribution, candidates[best]);
  }
}
