/**
 * Learning-rate schedules with torch.optim.lr_scheduler's values, written in closed form: the LR at counter `t`
 * (optimizer steps or epochs, see `interval`) is a pure function of `t` and the base LR, so a schedule's whole
 * state is its counter, which the trainer saves in checkpoints (global step or epoch) and restores on resume.
 */
export interface LRSchedule {
  /** 'step': t counts optimizer updates (after gradient accumulation); 'epoch': t counts finished epochs. */
  readonly interval: 'step' | 'epoch';
  /** The learning rate for counter `t` (t = 0 is the first step/epoch). */
  lrAt(t: number, baseLr: number): number;
  /** A JSON description, saved with checkpoints to detect a schedule change on resume. */
  describe(): Record<string, unknown>;
}

type Interval = LRSchedule['interval'];

function requirePositiveInt(owner: string, key: string, v: number): void {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`${owner}: ${key} must be a positive integer, got ${v}`);
}

function requireRange(owner: string, key: string, v: number, lo: number, hi: number): void {
  if (!(v >= lo && v <= hi)) throw new Error(`${owner}: ${key} must be in [${lo}, ${hi}], got ${v}`);
}

/** torch StepLR: base · γ^⌊t / stepSize⌋. */
export function stepLR(opts: { stepSize: number; gamma?: number; interval?: Interval }): LRSchedule {
  const gamma = opts.gamma ?? 0.1;
  requirePositiveInt('stepLR', 'stepSize', opts.stepSize);
  return {
    interval: opts.interval ?? 'epoch',
    lrAt: (t, base) => base * Math.pow(gamma, Math.floor(t / opts.stepSize)),
    describe: () => ({ kind: 'step', stepSize: opts.stepSize, gamma }),
  };
}

/** torch MultiStepLR: base · γ^(number of milestones ≤ t). */
export function multiStepLR(opts: { milestones: number[]; gamma?: number; interval?: Interval }): LRSchedule {
  const gamma = opts.gamma ?? 0.1;
  const milestones = [...opts.milestones].sort((a, b) => a - b);
  milestones.forEach((m, i) => requirePositiveInt('multiStepLR', `milestones[${i}]`, m));
  return {
    interval: opts.interval ?? 'epoch',
    lrAt: (t, base) => base * Math.pow(gamma, milestones.filter((m) => m <= t).length),
    describe: () => ({ kind: 'multistep', milestones, gamma }),
  };
}

/** torch ExponentialLR: base · γ^t. */
export function exponentialLR(opts: { gamma: number; interval?: Interval }): LRSchedule {
  requireRange('exponentialLR', 'gamma', opts.gamma, 0, Number.MAX_VALUE);
  return {
    interval: opts.interval ?? 'epoch',
    lrAt: (t, base) => base * Math.pow(opts.gamma, t),
    describe: () => ({ kind: 'exponential', gamma: opts.gamma }),
  };
}

function cosine(t: number, tMax: number, base: number, etaMin: number): number {
  return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2;
}

/** torch CosineAnnealingLR: η_min + (base − η_min)(1 + cos(π t / T_max)) / 2 (periodic past T_max, as torch). */
export function cosineAnnealingLR(opts: { tMax: number; etaMin?: number; interval?: Interval }): LRSchedule {
  const etaMin = opts.etaMin ?? 0;
  requirePositiveInt('cosineAnnealingLR', 'tMax', opts.tMax);
  return {
    interval: opts.interval ?? 'epoch',
    lrAt: (t, base) => cosine(t, opts.tMax, base, etaMin),
    describe: () => ({ kind: 'cosine', tMax: opts.tMax, etaMin }),
  };
}

/**
 * Linear warm-up then cosine decay: torch SequentialLR([LinearLR(startFactor, 1, warmupSteps),
 * CosineAnnealingLR(totalSteps − warmupSteps, etaMin)], milestones=[warmupSteps]). Defaults to per-step.
 */
export function warmupCosineLR(opts: {
  warmupSteps: number;
  totalSteps: number;
  warmupStartFactor?: number;
  etaMin?: number;
  interval?: Interval;
}): LRSchedule {
  const start = opts.warmupStartFactor ?? 0.001;
  const etaMin = opts.etaMin ?? 0;
  requirePositiveInt('warmupCosineLR', 'warmupSteps', opts.warmupSteps);
  requireRange('warmupCosineLR', 'warmupStartFactor', start, Number.MIN_VALUE, 1);
  if (!(Number.isInteger(opts.totalSteps) && opts.totalSteps > opts.warmupSteps)) {
    throw new Error(
      `warmupCosineLR: totalSteps must be an integer > warmupSteps (${opts.warmupSteps}), got ${opts.totalSteps}`,
    );
  }
  const w = opts.warmupSteps;
  return {
    interval: opts.interval ?? 'step',
    lrAt: (t, base) =>
      t < w ? base * (start + ((1 - start) * t) / w) : cosine(t - w, opts.totalSteps - w, base, etaMin),
    describe: () => ({
      kind: 'warmupCosine',
      warmupSteps: w,
      totalSteps: opts.totalSteps,
      warmupStartFactor: start,
      etaMin,
    }),
  };
}

/** A constant LR (the trainer's default). */
export function constantLR(): LRSchedule {
  return { interval: 'epoch', lrAt: (_t, base) => base, describe: () => ({ kind: 'constant' }) };
}
