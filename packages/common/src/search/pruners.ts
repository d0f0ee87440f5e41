// Optuna's pruners: PercentilePruner and MedianPruner (its 50th percentile), SuccessiveHalvingPruner and
// HyperbandPruner (brackets sized as Optuna's, each trial assigned to a bracket by crc32 of "<study>_<number>").
import type { Pruner } from './sampler';
import type { Study } from './study';
import { FrozenTrial, lastStep, StudyDirection, TrialState } from './types';

/** numpy.nanpercentile with linear interpolation. */
function nanPercentile(values: number[], q: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (q / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, v.length - 1);
  const frac = pos - lo;
  if (frac === 0) return v[lo];
  return v[lo] + (v[hi] - v[lo]) * frac;
}

function bestIntermediate(trial: FrozenTrial, direction: StudyDirection): number {
  const values = [...trial.intermediateValues.values()].filter((x) => !Number.isNaN(x));
  if (values.length === 0) return NaN;
  return direction === 'MAXIMIZE' ? Math.max(...values) : Math.min(...values);
}

function isFirstInIntervalStep(step: number, steps: Iterable<number>, warmup: number, interval: number): boolean {
  const nearestLowerPruningStep = Math.floor((step - warmup) / interval) * interval + warmup;
  let secondLast = -1;
  for (const s of steps) if (s > secondLast && s !== step) secondLast = s;
  return secondLast < nearestLowerPruningStep;
}

export interface PercentilePrunerOptions {
  nStartupTrials?: number;
  nWarmupSteps?: number;
  intervalSteps?: number;
  nMinTrials?: number;
}

/** Prune when the trial's best intermediate value is worse than the percentile of other trials at this step. */
export class PercentilePruner implements Pruner {
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;
  readonly nMinTrials: number;

  constructor(
    readonly percentile: number,
    opts: PercentilePrunerOptions = {},
  ) {
    this.nStartupTrials = opts.nStartupTrials ?? 5;
    this.nWarmupSteps = opts.nWarmupSteps ?? 0;
    this.intervalSteps = opts.intervalSteps ?? 1;
    this.nMinTrials = opts.nMinTrials ?? 1;
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new Error(`Percentile must be between 0 and 100 inclusive but got ${percentile}.`);
    }
    if (this.nStartupTrials < 0) throw new Error(`nStartupTrials cannot be negative (${this.nStartupTrials})`);
    if (this.nWarmupSteps < 0) throw new Error(`nWarmupSteps cannot be negative (${this.nWarmupSteps})`);
    if (this.intervalSteps < 1) throw new Error(`intervalSteps must be at least 1 (${this.intervalSteps})`);
    if (this.nMinTrials < 1) throw new Error(`nMinTrials must be at least 1 (${this.nMinTrials})`);
  }

  async prune(study: Study, trial: FrozenTrial): Promise<boolean> {
    return this.pruneWith(await study.getTrials(['COMPLETE']), study.direction, trial);
  }

  /** The decision given the study's completed trials (exposed for tests). */
  pruneWith(completed: FrozenTrial[], direction: StudyDirection, trial: FrozenTrial): boolean {
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const step = lastStep(trial);
    if (step === null || step < this.nWarmupSteps) return false;
    if (!isFirstInIntervalStep(step, trial.intermediateValues.keys(), this.nWarmupSteps, this.intervalSteps)) {
      return false;
    }
    const best = bestIntermediate(trial, direction);
    if (Number.isNaN(best)) return true;
    const atStep = completed
      .filter((t) => t.intermediateValues.has(step))
      .map((t) => t.intermediateValues.get(step) as number);
    if (atStep.length < this.nMinTrials) return false;
    const p = nanPercentile(atStep, direction === 'MAXIMIZE' ? 100 - this.percentile : this.percentile);
    if (Number.isNaN(p)) return false;
    return direction === 'MAXIMIZE' ? best < p : best > p;
  }
}

/** Optuna's MedianPruner: PercentilePruner at 50 (n_startup_trials 5, n_warmup_steps 0, interval_steps 1). */
export class MedianPruner extends PercentilePruner {
  constructor(opts: PercentilePrunerOptions = {}) {
    super(50, opts);
  }
}

/** Never prunes (Optuna's NopPruner). */
export class NopPruner implements Pruner {
  async prune(): Promise<boolean> {
    return false;
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib's crc32 of the UTF-8 bytes of s (Python's binascii.crc32). */
function crc32(s: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(s, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A view of the study for one pruner: the trials it sees, the direction, a way to mark rungs. */
export interface PruningContext {
  direction: StudyDirection;
  trials(states?: TrialState[]): Promise<FrozenTrial[]>;
  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void>;
}

function studyContext(study: Study): PruningContext {
  return {
    direction: study.direction,
    trials: (states) => study.getTrials(states),
    setTrialSystemAttr: (id, k, v) => study.storage.setTrialSystemAttr(id, k, v),
  };
}

const rungKey = (rung: number): string => `completed_rung_${rung}`;

export interface SuccessiveHalvingOptions {
  minResource?: number | 'auto';
  reductionFactor?: number;
  minEarlyStoppingRate?: number;
  bootstrapCount?: number;
}

/** Asynchronous successive halving (Optuna's SuccessiveHalvingPruner, rungs recorded as completed_rung_k). */
export class SuccessiveHalvingPruner implements Pruner {
  private minResource: number | null;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;

  constructor(opts: SuccessiveHalvingOptions = {}) {
    const min = opts.minResource ?? 'auto';
    if (min !== 'auto' && !(Number.isInteger(min) && min >= 1)) {
      throw new Error(`minResource must be an integer >= 1 or 'auto', got ${min}`);
    }
    this.minResource = min === 'auto' ? null : min;
    this.reductionFactor = opts.reductionFactor ?? 4;
    this.minEarlyStoppingRate = opts.minEarlyStoppingRate ?? 0;
    this.bootstrapCount = opts.bootstrapCount ?? 0;
    if (this.reductionFactor < 2) throw new Error(`reductionFactor must be >= 2, got ${this.reductionFactor}`);
    if (this.minEarlyStoppingRate < 0) throw new Error('minEarlyStoppingRate must be >= 0');
    if (this.bootstrapCount < 0) throw new Error('bootstrapCount must be >= 0');
    if (this.bootstrapCount > 0 && this.minResource === null) {
      throw new Error('bootstrapCount > 0 and minResource "auto" are mutually incompatible');
    }
  }

  prune(study: Study, trial: FrozenTrial): Promise<boolean> {
    return this.pruneIn(studyContext(study), trial);
  }

  async pruneIn(ctx: PruningContext, trial: FrozenTrial): Promise<boolean> {
    const step = lastStep(trial);
    if (step === null) return false;
    let rung = 0;
    while (rungKey(rung) in trial.systemAttrs) rung++;
    const value = trial.intermediateValues.get(step) as number;
    let trials: FrozenTrial[] | null = null;
    for (;;) {
      if (this.minResource === null) {
        trials ??= await ctx.trials();
        const steps = trials
          .filter((t) => t.state === 'COMPLETE')
          .map(lastStep)
          .filter((s): s is number => s !== null);
        if (steps.length === 0) return false;
        this.minResource = Math.max(Math.floor(Math.max(...steps) / 100), 1);
      }
      const promotionStep = this.minResource * this.reductionFactor ** (this.minEarlyStoppingRate + rung);
      if (step < promotionStep) return false;
      if (Number.isNaN(value)) return true;
      trials ??= await ctx.trials();
      const key = rungKey(rung);
      await ctx.setTrialSystemAttr(trial.trialId, key, value);
      const competing = trials.filter((t) => key in t.systemAttrs).map((t) => t.systemAttrs[key] as number);
      competing.push(value);
      if (competing.length <= this.bootstrapCount) return true;
      if (!isPromotable(value, competing, this.reductionFactor, ctx.direction)) return true;
      rung++;
    }
  }
}

function isPromotable(value: number, competing: number[], eta: number, direction: StudyDirection): boolean {
  let idx = Math.floor(competing.length / eta) - 1;
  if (idx === -1) idx = 0;
  const sorted = [...competing].sort((a, b) => a - b);
  return direction === 'MAXIMIZE' ? value >= sorted[sorted.length - 1 - idx] : value <= sorted[idx];
}

export interface HyperbandOptions {
  minResource?: number;
  maxResource?: number | 'auto';
  reductionFactor?: number;
  bootstrapCount?: number;
}

/** Hyperband: several successive-halving brackets; a trial's bracket is fixed by its study name and number. */
export class HyperbandPruner implements Pruner {
  readonly minResource: number;
  private maxResource: number | 'auto';
  readonly reductionFactor: number;
  readonly bootstrapCount: number;
  readonly pruners: SuccessiveHalvingPruner[] = [];
  readonly budgets: number[] = [];
  private totalBudget = 0;
  private nBrackets: number | null = null;

  constructor(opts: HyperbandOptions = {}) {
    this.minResource = opts.minResource ?? 1;
    this.maxResource = opts.maxResource ?? 'auto';
    this.reductionFactor = opts.reductionFactor ?? 3;
    this.bootstrapCount = opts.bootstrapCount ?? 0;
    if (this.bootstrapCount > 0 && this.maxResource === 'auto') {
      throw new Error('bootstrapCount > 0 and maxResource "auto" are mutually incompatible');
    }
  }

  /** Set up the brackets once the maximum resource is known (from completed trials when 'auto'). */
  initialise(completed: FrozenTrial[]): boolean {
    if (this.pruners.length > 0) return true;
    if (this.maxResource === 'auto') {
      const steps = completed.map(lastStep).filter((s): s is number => s !== null);
      if (steps.length === 0) return false;
      this.maxResource = Math.max(...steps) + 1;
    }
    this.nBrackets = Math.floor(Math.log(this.maxResource / this.minResource) / Math.log(this.reductionFactor)) + 1;
    for (let b = 0; b < this.nBrackets; b++) {
      const s = this.nBrackets - 1 - b;
      const budget = Math.ceil((this.nBrackets * this.reductionFactor ** s) / (s + 1));
      this.budgets.push(budget);
      this.totalBudget += budget;
      this.pruners.push(
        new SuccessiveHalvingPruner({
          minResource: this.minResource,
          reductionFactor: this.reductionFactor,
          minEarlyStoppingRate: b,
          bootstrapCount: this.bootstrapCount,
        }),
      );
    }
    return true;
  }

  bracketId(studyName: string, trialNumber: number): number {
    if (this.pruners.length === 0) return 0;
    let n = crc32(`${studyName}_${trialNumber}`) % this.totalBudget;
    for (let b = 0; b < this.budgets.length; b++) {
      n -= this.budgets[b];
      if (n < 0) return b;
    }
    throw new Error('unreachable: bracket budgets do not cover the hash');
  }

  async prune(study: Study, trial: FrozenTrial): Promise<boolean> {
    if (!this.initialise(await study.getTrials(['COMPLETE']))) return false;
    const bracket = this.bracketId(study.studyName, trial.number);
    const ctx: PruningContext = {
      direction: study.direction,
      trials: async (states) =>
        (await study.getTrials(states)).filter((t) => this.bracketId(study.studyName, t.number) === bracket),
      setTrialSystemAttr: (id, k, v) => study.storage.setTrialSystemAttr(id, k, v),
    };
    return this.pruners[bracket].pruneIn(ctx, trial);
  }
}
