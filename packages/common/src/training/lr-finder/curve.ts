// The numbers of an LR range test, independent of any model: the exponential LR schedule, the bias-corrected
// smoothing, the divergence rule and the suggestion.

/** lr_i = start x (end / start)^(i / (n - 1)): geometric from `startLr` (i = 0) to `endLr` (i = n - 1). */
export function exponentialLrs(startLr: number, endLr: number, numIter: number): number[] {
  if (!(startLr > 0 && endLr > startLr))
    throw new Error(`lr range: need 0 < start_lr < end_lr, got start_lr=${startLr} end_lr=${endLr}`);
  if (!(Number.isInteger(numIter) && numIter >= 2))
    throw new Error(`lr range: num_iter must be an integer >= 2, got ${numIter}`);
  return Array.from({ length: numIter }, (_, i) => startLr * Math.pow(endLr / startLr, i / (numIter - 1)));
}

/**
 * fastai's smoothing: avg = beta avg + (1 - beta) loss (avg starts at 0), reported as avg / (1 - beta^(i + 1)) so
 * the first values are not biased towards 0.
 */
export class SmoothedLoss {
  private avg = 0;
  private count = 0;

  constructor(readonly beta: number) {
    if (!(beta >= 0 && beta < 1)) throw new Error(`lr range: beta must be in [0, 1), got ${beta}`);
  }

  add(loss: number): number {
    this.avg = this.beta * this.avg + (1 - this.beta) * loss;
    this.count++;
    return this.avg / (1 - Math.pow(this.beta, this.count));
  }
}

/** numpy.gradient of equally spaced values: one-sided differences at the ends, central ones inside. */
export function numpyGradient(values: readonly number[]): number[] {
  const n = values.length;
  if (n < 2) throw new Error(`gradient: need at least 2 values, got ${n}`);
  return values.map((_, i) => {
    if (i === 0) return values[1] - values[0];
    if (i === n - 1) return values[n - 1] - values[n - 2];
    return (values[i + 1] - values[i - 1]) / 2;
  });
}

export interface LrSuggestion {
  lr: number;
  /** Index into the recorded lrs/losses. */
  index: number;
}

/**
 * torch-lr-finder's suggestion (`LRFinder.plot(suggest_lr=True)`): drop the first `skipStart` and last `skipEnd`
 * points, then take the LR where numpy.gradient of the (smoothed) loss is most negative (the steepest descent; the
 * LRs are log-spaced, so this is also the steepest slope against log lr). Null when fewer than 2 points remain.
 */
export function suggestLr(
  lrs: readonly number[],
  losses: readonly number[],
  skipStart = 10,
  skipEnd = 5,
): LrSuggestion | null {
  if (lrs.length !== losses.length) throw new Error(`suggestLr: ${lrs.length} lrs but ${losses.length} losses`);
  const end = lrs.length - skipEnd;
  if (end - skipStart < 2) return null;
  const gradient = numpyGradient(losses.slice(skipStart, end));
  let best = 0;
  for (let i = 1; i < gradient.length; i++) if (gradient[i] < gradient[best]) best = i;
  return { lr: lrs[skipStart + best], index: skipStart + best };
}
