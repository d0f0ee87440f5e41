// The LR range test (Smith 2015; fastai / torch-lr-finder): train on successive batches while the LR grows
// exponentially, record the smoothed loss, stop when it diverges, suggest an LR; weights and optimizer state are
// put back afterwards, so the test leaves the model as it found it.
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../../data';
import type { TrainModule } from '../module';
import { moduleParameters } from '../module';
import type { TorchOptimizer } from '../optim';
import { exponentialLrs, SmoothedLoss, suggestLr, type LrSuggestion } from './curve';

export interface LrRangeTestOptions {
  startLr?: number;
  endLr?: number;
  numIter?: number;
  /** Smoothing factor of the loss. */
  beta?: number;
  /** Stop once the smoothed loss exceeds this times the lowest smoothed loss so far. */
  divergeThreshold?: number;
  /** Points left out at each end before the suggestion (torch-lr-finder's defaults 10 and 5). */
  skipStart?: number;
  skipEnd?: number;
  /** Called after every iteration (progress, logs). */
  onIteration?: (record: { iteration: number; lr: number; loss: number; smoothed: number }) => void;
}

export interface LrRangeTestResult {
  lrs: number[];
  losses: number[];
  smoothed: number[];
  bestLoss: number;
  /** The LR at the lowest smoothed loss. */
  bestLr: number;
  /** Why the test ended before num_iter iterations, if it did. */
  stoppedEarly: string | null;
  suggestion: LrSuggestion | null;
  rule: string;
  options: Required<Omit<LrRangeTestOptions, 'onIteration'>>;
}

export const SUGGESTION_RULE =
  'steepest descent of the smoothed loss: argmin of numpy.gradient after dropping skip_start/skip_end points (torch-lr-finder)';

/**
 * Runs the range test on `module` with batches from `data` (cycling through epochs 0, 1, ... when it has fewer than
 * `numIter` batches). `optimizer` is either a factory (a fresh optimizer at the start LR, disposed afterwards) or
 * an existing optimizer whose state and LR are saved and restored. Every weight of the module (trainable or not,
 * e.g. batch-norm statistics) is restored too.
 */
export async function lrRangeTest(
  module: TrainModule,
  data: BatchSource,
  optimizer: TorchOptimizer | ((lr: number) => TorchOptimizer),
  opts: LrRangeTestOptions = {},
): Promise<LrRangeTestResult> {
  const options = {
    startLr: opts.startLr ?? 1e-7,
    endLr: opts.endLr ?? 1,
    numIter: opts.numIter ?? 200,
    beta: opts.beta ?? 0.98,
    divergeThreshold: opts.divergeThreshold ?? 4,
    skipStart: opts.skipStart ?? 10,
    skipEnd: opts.skipEnd ?? 5,
  };
  if (!(options.divergeThreshold > 1))
    throw new Error(`lr range: diverge_threshold must be > 1, got ${options.divergeThreshold}`);
  const schedule = exponentialLrs(options.startLr, options.endLr, options.numIter);
  const smoother = new SmoothedLoss(options.beta);
  if (data.batchesPerEpoch === 0) throw new Error('lr range: the data source yields no batch');

  const params = moduleParameters(module);
  const saved = params.all.map((p) => tf.keep(p.variable.clone()));
  const own = typeof optimizer === 'function';
  const opt = typeof optimizer === 'function' ? optimizer(options.startLr) : optimizer;
  const savedState = own ? undefined : opt.stateDict();
  const lrs: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let best = Infinity;
  let bestLr = options.startLr;
  let stoppedEarly: string | null = null;
  try {
    let epoch = 0;
    let iteration = 0;
    outer: while (iteration < options.numIter) {
      let batchIndex = 0;
      for await (const batch of data.batches(epoch)) {
        const lr = schedule[iteration];
        opt.lr = lr;
        let loss: number;
        try {
          const vars = params.trainable.map((p) => p.variable);
          const { value, grads } = tf.variableGrads(
            () => module.trainingStep(batch, { epoch, batchIndex, globalStep: iteration, stage: 'train' }).loss,
            vars,
          );
          const byName: Record<string, tf.Tensor> = {};
          for (const p of params.trainable) if (grads[p.variable.name]) byName[p.name] = grads[p.variable.name];
          loss = value.dataSync()[0];
          opt.step(params.trainable, byName);
          tf.dispose([value, grads]);
        } finally {
          tf.dispose(batch);
        }
        const smooth = smoother.add(loss);
        lrs.push(lr);
        losses.push(loss);
        smoothed.push(smooth);
        if (smooth < best) [best, bestLr] = [smooth, lr];
        opts.onIteration?.({ iteration, lr, loss, smoothed: smooth });
        iteration++;
        batchIndex++;
        if (!Number.isFinite(smooth)) {
          stoppedEarly = `the loss is ${loss} at lr ${lr.toExponential(3)}`;
          break outer;
        }
        if (smooth > options.divergeThreshold * best) {
          stoppedEarly = `the smoothed loss ${smooth.toPrecision(4)} exceeded ${options.divergeThreshold} x the best ${best.toPrecision(4)} at lr ${lr.toExponential(3)}`;
          break outer;
        }
        if (iteration >= options.numIter) break outer;
      }
      epoch++;
    }
  } finally {
    params.all.forEach((p, i) => p.variable.assign(saved[i]));
    tf.dispose(saved);
    if (own) {
      opt.dispose();
    } else {
      opt.loadStateDict(savedState!);
      tf.dispose(Object.values(savedState!.tensors));
    }
  }
  return {
    lrs,
    losses,
    smoothed,
    bestLoss: best,
    bestLr,
    stoppedEarly,
    suggestion: suggestLr(lrs, smoothed, options.skipStart, options.skipEnd),
    rule: SUGGESTION_RULE,
    options,
  };
}
