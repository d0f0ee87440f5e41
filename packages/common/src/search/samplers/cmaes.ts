// CMA-ES for continuous (float and int) search spaces, as Optuna's CmaEsSampler uses it: the parameters of the
// completed trials define the space, the first trials are random, then each trial gets one candidate of the
// current generation; a generation is told once popsize of its trials complete. Categorical parameters (and spaces
// of fewer than two dimensions) go to an independent random sampler, as in Optuna.
//
// Unlike Optuna, which pickles the optimizer into study system attributes, the optimizer state is rebuilt by
// replaying the completed generations recorded in the trials (system attributes cma:generation, cma:space), so
// workers in any language that write these attributes can share a study. The search runs in the unit cube: each
// parameter's transformed range (log scale for log parameters) is mapped to [0, 1], sigma0 = 1/6, mean 0.5.
import {
  Distribution,
  FloatDistribution,
  IntDistribution,
  ParamValue,
  toExternalRepr,
  toInternalRepr,
} from '../distributions';
import { NumpyRandomState } from '../numpy-random';
import type { Sampler } from '../sampler';
import type { Study } from '../study';
import type { FrozenTrial } from '../types';
import { RandomSampler } from './random';
import { isNumeric, numericBounds, transformNumeric, untransformNumeric } from './search-space';

type Numeric = FloatDistribution | IntDistribution;

export interface CmaEsOptions {
  seed?: number;
  /** Trials sampled independently before CMA-ES starts (Optuna's n_startup_trials, default 1). */
  nStartupTrials?: number;
  popsize?: number;
  sigma0?: number;
}

/** Symmetric eigendecomposition by cyclic Jacobi rotations: C = B diag(values) B^T. */
export function symmetricEigen(c: number[][]): { values: number[]; vectors: number[][] } {
  const n = c.length;
  const a = c.map((row) => [...row]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = cos * akp - sin * akq;
          a[k][q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = cos * apk - sin * aqk;
          a[q][k] = sin * apk + cos * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = cos * vkp - sin * vkq;
          v[k][q] = sin * vkp + cos * vkq;
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}

/** The state of a (mu/mu_w, lambda)-CMA-ES (Hansen's tutorial, positive recombination weights). */
export class CmaState {
  mean: number[];
  sigma: number;
  C: number[][];
  pc: number[];
  ps: number[];
  B: number[][];
  D: number[];
  generation = 0;
  readonly weights: number[];
  private readonly mueff: number;
  private readonly cc: number;
  private readonly cs: number;
  private readonly c1: number;
  private readonly cmu: number;
  private readonly damps: number;
  private readonly chiN: number;

  constructor(
    readonly n: number,
    readonly popsize: number,
    mean: number[],
    sigma: number,
  ) {
    this.mean = [...mean];
    this.sigma = sigma;
    this.C = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) as number));
    this.B = this.C.map((r) => [...r]);
    this.D = new Array<number>(n).fill(1);
    this.pc = new Array<number>(n).fill(0);
    this.ps = new Array<number>(n).fill(0);
    const mu = Math.floor(popsize / 2);
    const raw = Array.from({ length: mu }, (_, i) => Math.log((popsize + 1) / 2) - Math.log(i + 1));
    const sum = raw.reduce((a, b) => a + b, 0);
    this.weights = raw.map((w) => w / sum);
    this.mueff = 1 / this.weights.reduce((a, w) => a + w * w, 0);
    this.cc = (4 + this.mueff / n) / (n + 4 + (2 * this.mueff) / n);
    this.cs = (this.mueff + 2) / (n + this.mueff + 5);
    this.c1 = 2 / ((n + 1.3) ** 2 + this.mueff);
    this.cmu = Math.min(1 - this.c1, (2 * (this.mueff - 2 + 1 / this.mueff)) / ((n + 2) ** 2 + this.mueff));
    this.damps = 1 + 2 * Math.max(0, Math.sqrt((this.mueff - 1) / (n + 1)) - 1) + this.cs;
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  }

  /** One candidate: mean + sigma * B D z, resampled (up to 100 times, then clipped) until inside [0, 1]^n. */
  sample(rng: NumpyRandomState): number[] {
    let x: number[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      const z = Array.from({ length: this.n }, () => standardNormal(rng));
      x = this.mean.map((m, i) => m + this.sigma * this.B[i].reduce((acc, bij, j) => acc + bij * this.D[j] * z[j], 0));
      if (x.every((xi) => xi >= 0 && xi <= 1)) return x;
    }
    return x.map((xi) => Math.min(Math.max(xi, 0), 1));
  }

  /** Update from popsize (solution, value) pairs, lower values better. */
  tell(solutions: Array<{ x: number[]; value: number }>): void {
    const n = this.n;
    const sorted = [...solutions].sort((a, b) => a.value - b.value).slice(0, this.weights.length);
    const ys = sorted.map((s) => s.x.map((xi, i) => (xi - this.mean[i]) / this.sigma));
    const yw = new Array<number>(n).fill(0);
    ys.forEach((y, k) => y.forEach((yi, i) => (yw[i] += this.weights[k] * yi)));
    this.mean = this.mean.map((m, i) => m + this.sigma * yw[i]);
    // C^{-1/2} yw = B D^{-1} B^T yw
    const bty = this.B[0].map((_, j) => this.B.reduce((acc, row, i) => acc + row[j] * yw[i], 0) / this.D[j]);
    const cInvSqrtY = this.B.map((row) => row.reduce((acc, bij, j) => acc + bij * bty[j], 0));
    const csFactor = Math.sqrt(this.cs * (2 - this.cs) * this.mueff);
    this.ps = this.ps.map((p, i) => (1 - this.cs) * p + csFactor * cInvSqrtY[i]);
    const psNorm = Math.sqrt(this.ps.reduce((a, p) => a + p * p, 0));
    this.generation += 1;
    const hsig =
      psNorm / Math.sqrt(1 - (1 - this.cs) ** (2 * this.generation)) < (1.4 + 2 / (n + 1)) * this.chiN ? 1 : 0;
    const ccFactor = Math.sqrt(this.cc * (2 - this.cc) * this.mueff);
    this.pc = this.pc.map((p, i) => (1 - this.cc) * p + hsig * ccFactor * yw[i]);
    const delta = (1 - hsig) * this.cc * (2 - this.cc);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rankMu = 0;
        ys.forEach((y, k) => (rankMu += this.weights[k] * y[i] * y[j]));
        this.C[i][j] =
          (1 - this.c1 - this.cmu) * this.C[i][j] +
          this.c1 * (this.pc[i] * this.pc[j] + delta * this.C[i][j]) +
          this.cmu * rankMu;
      }
    }
    this.sigma *= Math.exp((this.cs / this.damps) * (psNorm / this.chiN - 1));
    const { values, vectors } = symmetricEigen(this.C);
    this.B = vectors;
    this.D = values.map((v) => Math.sqrt(Math.max(v, 1e-20)));
  }
}

/** A standard normal by the polar Box-Muller method on numpy's uniform stream. */
function standardNormal(rng: NumpyRandomState): number {
  for (;;) {
    const u = 2 * rng.randomSample() - 1;
    const v = 2 * rng.randomSample() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

const GENERATION_KEY = 'cma:generation';
const SPACE_KEY = 'cma:space';

export class CmaEsSampler implements Sampler {
  private readonly independent: RandomSampler;
  readonly seed: number;
  readonly nStartupTrials: number;

  constructor(private readonly opts: CmaEsOptions = {}) {
    this.seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.independent = new RandomSampler({ seed: this.seed });
    this.nStartupTrials = opts.nStartupTrials ?? 1;
  }

  /** Float and int parameters present, with the same distribution, in every completed trial. */
  static searchSpace(completed: FrozenTrial[]): Record<string, Numeric> {
    if (completed.length === 0) return {};
    const space: Record<string, Numeric> = {};
    for (const [name, d] of Object.entries(completed[0].distributions)) {
      if (!isNumeric(d) || d.low === d.high) continue;
      const json = JSON.stringify(d);
      if (completed.every((t) => t.distributions[name] && JSON.stringify(t.distributions[name]) === json))
        space[name] = d;
    }
    return space;
  }

  /** The optimizer after replaying every generation that has popsize completed trials. */
  replay(
    completed: FrozenTrial[],
    names: string[],
    space: Record<string, Numeric>,
    spaceKey: string,
    minimize: boolean,
  ): CmaState {
    const n = names.length;
    const popsize = this.opts.popsize ?? 4 + Math.floor(3 * Math.log(n));
    const state = new CmaState(n, popsize, new Array<number>(n).fill(0.5), this.opts.sigma0 ?? 1 / 6);
    for (;;) {
      const members = completed
        .filter((t) => t.systemAttrs[GENERATION_KEY] === state.generation && t.systemAttrs[SPACE_KEY] === spaceKey)
        .sort((a, b) => a.number - b.number)
        .slice(0, popsize);
      if (members.length < popsize) return state;
      state.tell(
        members.map((t) => ({
          x: names.map((name) => toUnit(toInternalRepr(space[name], t.params[name]), space[name])),
          value: (minimize ? 1 : -1) * (t.values as number[])[0],
        })),
      );
    }
  }

  async sampleRelative(study: Study, trial: FrozenTrial): Promise<Record<string, ParamValue>> {
    const all = await study.getTrials();
    const completed = all.filter((t) => t.state === 'COMPLETE');
    if (completed.length < this.nStartupTrials) return {};
    const space = CmaEsSampler.searchSpace(completed);
    const names = Object.keys(space).sort();
    if (names.length < 2) return {};
    const spaceKey = JSON.stringify(names.map((name) => [name, space[name]]));
    const state = this.replay(completed, names, space, spaceKey, study.direction === 'MINIMIZE');
    // This trial's slot in the generation: how many earlier trials already belong to it.
    const slot = all.filter(
      (t) =>
        t.number < trial.number &&
        t.systemAttrs[GENERATION_KEY] === state.generation &&
        t.systemAttrs[SPACE_KEY] === spaceKey,
    ).length;
    const rng = new NumpyRandomState((this.seed * 1_000_003 + state.generation) % 2 ** 32);
    let x: number[] = [];
    for (let k = 0; k <= slot; k++) x = state.sample(rng);
    await study.storage.setTrialSystemAttr(trial.trialId, GENERATION_KEY, state.generation);
    await study.storage.setTrialSystemAttr(trial.trialId, SPACE_KEY, spaceKey);
    return Object.fromEntries(names.map((name, i) => [name, toExternalRepr(space[name], fromUnit(x[i], space[name]))]));
  }

  async sampleIndependent(_study: Study, _trial: FrozenTrial, _name: string, d: Distribution): Promise<ParamValue> {
    return this.independent.draw(d);
  }
}

function toUnit(internal: number, d: Numeric): number {
  const [lo, hi] = numericBounds(d);
  return (transformNumeric(internal, d) - lo) / (hi - lo);
}

function fromUnit(u: number, d: Numeric): number {
  const [lo, hi] = numericBounds(d);
  return untransformNumeric(lo + u * (hi - lo), d);
}
