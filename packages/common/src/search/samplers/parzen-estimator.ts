// The univariate Parzen estimator of Optuna's TPE (optuna/samplers/_tpe/parzen_estimator.py, 3.1): a mixture of
// truncated Gaussians (one per observation, plus a prior in the middle of the range with the range as its width)
// for numbers, or of smoothed one-hot vectors for categoricals.
import type { Distribution } from '../distributions';
import { numpyArgsort, NumpyRandomState, roundHalfEven, searchSortedRight } from '../numpy-random';
import { logGaussMass, truncnormLogPdf, truncnormPpf } from '../truncnorm';

const EPS = 1e-12;

export interface ParzenEstimatorParameters {
  considerPrior: boolean;
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  weights: (n: number) => number[];
  /**
   * Include the -log(sigma) term of each truncated-normal kernel's log density, as Optuna >= 3.2 does. Optuna
   * 3.0-3.1 left it out (false, the default here: it reproduces 3.1 and did better on our benchmarks).
   */
  normalizedLogPdf: boolean;
}

/** Optuna's default_weights: flat up to 25 observations, then older ones ramp up from 1/n. */
export function defaultWeights(n: number): number[] {
  if (n === 0) return [];
  if (n < 25) return new Array<number>(n).fill(1);
  const rampLength = n - 25;
  const ramp = linspace(1 / n, 1, rampLength);
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/** numpy.linspace(start, stop, num) with its endpoint formula. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num <= 0) return [];
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  out[num - 1] = stop;
  return out;
}

/** Optuna's default_gamma: how many of n observations form the "good" group. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

export class ParzenEstimator {
  readonly weights: number[];
  readonly mus: number[] = [];
  readonly sigmas: number[] = [];
  /** Per component, the probability of each choice (categorical only). */
  readonly categoricalWeights: number[][] = [];
  readonly low = NaN;
  readonly high = NaN;
  readonly q: number | null = null;

  constructor(
    observations: number[],
    readonly distribution: Distribution,
    readonly params: ParzenEstimatorParameters,
  ) {
    const n = observations.length;
    const considerPrior = params.considerPrior || n === 0;
    const w = params.weights(n).slice(0, n);
    const weights = considerPrior ? [...w, params.priorWeight] : [...w];
    const total = weights.reduce((a, b) => a + b, 0);
    this.weights = weights.map((x) => x / total);

    if (distribution.kind === 'categorical') {
      const k = distribution.choices.length;
      const rows = considerPrior ? n + 1 : n;
      const fill = considerPrior ? params.priorWeight / (n + 1) : params.priorWeight / n;
      for (let i = 0; i < rows; i++) {
        const row = new Array<number>(k).fill(fill);
        if (i < n) row[Math.trunc(observations[i])] += 1;
        const s = row.reduce((a, b) => a + b, 0);
        this.categoricalWeights.push(row.map((x) => x / s));
      }
      return;
    }
    let low: number;
    let high: number;
    let q: number | null = null;
    if (distribution.kind === 'float') {
      if (distribution.log) [low, high] = [Math.log(distribution.low), Math.log(distribution.high)];
      else if (distribution.step !== null) {
        q = distribution.step;
        [low, high] = [distribution.low - 0.5 * q, distribution.high + 0.5 * q];
      } else [low, high] = [distribution.low, distribution.high];
    } else if (distribution.log) {
      [low, high] = [Math.log(distribution.low - 0.5), Math.log(distribution.high + 0.5)];
    } else {
      q = distribution.step;
      [low, high] = [distribution.low - 0.5 * q, distribution.high + 0.5 * q];
    }
    Object.assign(this, { low, high, q });
    const obs = distribution.log ? observations.map(Math.log) : observations;
    const mus = considerPrior ? [...obs, 0.5 * (low + high)] : [...obs];
    // Bandwidth of each kernel: the larger gap to its sorted neighbours (the range ends count as neighbours).
    const order = numpyArgsort(mus);
    const sorted = [low, ...order.map((i) => mus[i]), high];
    const sortedSigmas = order.map((_, j) => Math.max(sorted[j + 1] - sorted[j], sorted[j + 2] - sorted[j + 1]));
    if (!params.considerEndpoints && sorted.length >= 4) {
      sortedSigmas[0] = sorted[2] - sorted[1];
      sortedSigmas[sortedSigmas.length - 1] = sorted[sorted.length - 2] - sorted[sorted.length - 3];
    }
    const sigmas = new Array<number>(mus.length);
    order.forEach((i, j) => {
      sigmas[i] = sortedSigmas[j];
    });
    const maxSigma = high - low;
    const minSigma = params.considerMagicClip ? (high - low) / Math.min(100, 1 + mus.length) : EPS;
    for (let i = 0; i < sigmas.length; i++) sigmas[i] = Math.min(Math.max(sigmas[i], minSigma), maxSigma);
    if (considerPrior) sigmas[n] = high - low;
    this.mus.push(...mus);
    this.sigmas.push(...sigmas);
  }

  /** `size` draws in the internal representation (numpy's order of random draws, as Optuna). */
  sample(rng: NumpyRandomState, size: number): number[] {
    // numpy's choice(n, size, p): normalised cumulative sum, one uniform per draw, searchsorted side='right'.
    let acc = 0;
    const cdf = this.weights.map((w) => (acc += w));
    const normalised = cdf.map((c) => c / cdf[cdf.length - 1]);
    const uniforms: number[] = [];
    for (let i = 0; i < size; i++) uniforms.push(rng.randomSample());
    const active = uniforms.map((u) => searchSortedRight(normalised, u));
    const d = this.distribution;
    if (d.kind === 'categorical') {
      return active.map((k) => {
        const u = rng.randomSample();
        let cum = 0;
        let count = 0;
        for (const p of this.categoricalWeights[k]) {
          cum += p;
          if (cum < u) count++;
        }
        return count;
      });
    }
    const percentiles: number[] = [];
    for (let i = 0; i < size; i++) percentiles.push(rng.randomSample());
    const raw = active.map((k, i) => {
      const mu = this.mus[k];
      const sigma = this.sigmas[k];
      return truncnormPpf(percentiles[i], (this.low - mu) / sigma, (this.high - mu) / sigma) * sigma + mu;
    });
    return raw.map((x) => this.fromTransformed(x));
  }

  private fromTransformed(x: number): number {
    const d = this.distribution;
    if (d.kind === 'categorical') return x;
    if (d.kind === 'float') {
      if (d.log) return Math.exp(x);
      if (d.step !== null)
        return Math.min(Math.max(roundHalfEven((x - d.low) / d.step) * d.step + d.low, d.low), d.high);
      return x;
    }
    if (d.log) return Math.min(Math.max(roundHalfEven(Math.exp(x)), d.low), d.high);
    return Math.min(Math.max(roundHalfEven((x - d.low) / d.step) * d.step + d.low, d.low), d.high);
  }

  /** log density (or log mass, for discrete values) of the mixture at each sample. */
  logPdf(samples: number[]): number[] {
    const d = this.distribution;
    const logW = this.weights.map(Math.log);
    if (d.kind === 'categorical') {
      // Terms summed in ascending order, so that choices with the same counts tie exactly (as in Optuna, where a
      // tie goes to the first candidate) instead of differing in the last bit by summation order.
      return samples.map((s) =>
        Math.log(
          this.categoricalWeights
            .map((row, k) => row[s] * this.weights[k])
            .sort((a, b) => a - b)
            .reduce((acc, t) => acc + t, 0),
        ),
      );
    }
    const omit = !this.params.normalizedLogPdf;
    const logAccept = this.mus.map((mu, k) =>
      logGaussMass((this.low - mu) / this.sigmas[k], (this.high - mu) / this.sigmas[k]),
    );
    return samples.map((raw) => {
      const x = d.log ? Math.log(raw) : raw;
      const terms = this.mus.map((mu, k) => {
        const sigma = this.sigmas[k];
        let lp: number;
        if (this.q === null) {
          lp = truncnormLogPdf(x, (this.low - mu) / sigma, (this.high - mu) / sigma, mu, sigma, omit, logAccept[k]);
        } else {
          const upper = Math.min(x + this.q / 2, this.high);
          const lower = Math.max(x - this.q / 2, this.low);
          lp = logGaussMass((lower - mu) / sigma, (upper - mu) / sigma) - logAccept[k];
        }
        return lp + logW[k];
      });
      const max = Math.max(...terms);
      if (max === -Infinity) return -Infinity;
      return Math.log(terms.reduce((acc, t) => acc + Math.exp(t - max), 0)) + max;
    });
  }
}
