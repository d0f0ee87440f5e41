// DP-SGD (Abadi et al. 2016) as a gradient strategy, with Opacus' semantics: every example's gradient (over the
// whole model) is clipped to maxGradNorm, the clipped gradients are summed, Gaussian noise of standard deviation
// noiseMultiplier x maxGradNorm is added to each coordinate, and the result is divided by the expected batch size.
// Every noisy step is recorded in an RDP accountant; `epsilonCallback()` logs the epsilon spent after each epoch.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../data/batch';
import { mixSeeds } from '../../random';
import type { Callback } from '../callback';
import type { ModuleParameters, StepContext, TrainModule } from '../module';
import type { PrecisionPlugin } from '../precision/plugin';
import type { GradientStrategy, StepGradients, StrategySetup } from '../strategy/gradient-strategy';
import { RdpAccountant, getNoiseMultiplier } from './accountant';
import { assertDpCompatible } from './module-validator';
import { perExampleGradients } from './per-example-grads';
import type { PrivacySpent } from './rdp';

export interface DpSgdOptions {
  noiseMultiplier: number;
  maxGradNorm: number;
  /** The probability q with which each example joins a batch (PrivateBatchSource.sampleRate). */
  sampleRate: number;
  /** The divisor of the noisy sum (PrivateBatchSource.expectedBatchSize); with lossReduction 'sum' nothing is divided. */
  expectedBatchSize: number;
  /** The delta at which epsilon is reported. */
  delta: number;
  /** Seeds the noise: step t draws from (seed, t, parameter index). Not a secure RNG (nor is Opacus' default). */
  seed?: number;
  /** How the module's loss reduces over the batch (default 'mean'). */
  lossReduction?: 'mean' | 'sum';
}

function checkPositive(key: string, value: number, allowZero = false): void {
  if (!(Number.isFinite(value) && (allowZero ? value >= 0 : value > 0))) {
    throw new Error(`DP-SGD: ${key} must be a finite number ${allowZero ? '>=' : '>'} 0, got ${value}`);
  }
}

export class DpSgdStrategy implements GradientStrategy {
  readonly name = 'dp';
  readonly noiseMultiplier: number;
  readonly maxGradNorm: number;
  readonly sampleRate: number;
  readonly expectedBatchSize: number;
  readonly delta: number;
  readonly seed: number;
  readonly lossReduction: 'mean' | 'sum';
  readonly accountant = new RdpAccountant();

  constructor(o: DpSgdOptions) {
    checkPositive('noiseMultiplier', o.noiseMultiplier, true);
    checkPositive('maxGradNorm', o.maxGradNorm);
    checkPositive('expectedBatchSize', o.expectedBatchSize);
    if (!(o.sampleRate > 0 && o.sampleRate <= 1))
      throw new Error(`DP-SGD: sampleRate must be in (0, 1], got ${o.sampleRate}`);
    if (!(o.delta > 0 && o.delta < 1)) throw new Error(`DP-SGD: delta must be in (0, 1), got ${o.delta}`);
    this.noiseMultiplier = o.noiseMultiplier;
    this.maxGradNorm = o.maxGradNorm;
    this.sampleRate = o.sampleRate;
    this.expectedBatchSize = o.expectedBatchSize;
    this.delta = o.delta;
    this.seed = o.seed ?? 0;
    this.lossReduction = o.lossReduction ?? 'mean';
  }

  /** Refuses modules with BatchNorm or weights without per-example gradients, and settings DP-SGD would undo. */
  setup(module: TrainModule, params: ModuleParameters, opts: StrategySetup): void {
    assertDpCompatible(module, params);
    if (opts.accumulateGradBatches !== 1) {
      throw new Error(
        `DP-SGD: accumulateGradBatches must be 1 (got ${opts.accumulateGradBatches}): each noisy batch is one step of the accountant; raise the batch size instead`,
      );
    }
    if (opts.gradClipNorm !== undefined) {
      throw new Error(
        `DP-SGD clips every example's gradient to dp.max_grad_norm (${this.maxGradNorm}); remove gradClipNorm (${opts.gradClipNorm})`,
      );
    }
    if (opts.precision.name !== 'float32')
      throw new Error(`DP-SGD runs in float32; precision '${opts.precision.name}' is not supported with it`);
  }

  computeGradients(
    module: TrainModule,
    params: ModuleParameters,
    batch: Batch,
    ctx: StepContext,
    precision?: PrecisionPlugin,
  ): StepGradients {
    if (precision && precision.name !== 'float32')
      throw new Error(`DP-SGD runs in float32, got precision '${precision.name}'`);
    const first = Object.values(batch)[0];
    const n = first ? first.shape[0] : 0;
    // An empty Poisson batch still takes a step: zero clipped sum plus noise (Opacus does the same).
    const step =
      n > 0
        ? perExampleGradients(module, params, batch, ctx, { lossReduction: this.lossReduction })
        : { loss: 0, logs: {}, grads: {} };
    const names = Object.keys(step.grads);
    const divisor = this.lossReduction === 'mean' ? this.expectedBatchSize : 1;
    const grads: Record<string, tf.Tensor> = {};
    try {
      const clipFactors =
        names.length === 0
          ? undefined
          : tf.tidy(() => {
              const norms = tf.addN(names.map((k) => step.grads[k].sqNorms())).sqrt();
              return tf.minimum(tf.div(this.maxGradNorm, norms.add(1e-6)), 1) as tf.Tensor1D; // Opacus' per_sample_clip_factor
            });
      params.trainable.forEach((p, index) => {
        grads[p.name] = tf.tidy(() => {
          const g = step.grads[p.name];
          const summed = g && clipFactors ? g.weightedSum(clipFactors) : tf.zeros(p.variable.shape);
          const std = this.noiseMultiplier * this.maxGradNorm;
          const noisy =
            std > 0
              ? summed.add(
                  tf.randomNormal(p.variable.shape, 0, std, 'float32', mixSeeds(this.seed, ctx.globalStep, index)),
                )
              : summed;
          return divisor === 1 ? noisy : noisy.div(divisor);
        });
      });
      clipFactors?.dispose();
    } finally {
      for (const g of Object.values(step.grads)) g.dispose();
    }
    this.accountant.step(this.noiseMultiplier, this.sampleRate);
    return { loss: step.loss, logs: step.logs, grads };
  }

  /** The privacy spent so far at the configured delta. */
  privacySpent(): PrivacySpent {
    return this.accountant.getPrivacySpent(this.delta);
  }

  /**
   * A callback that writes `epsilon` (and the best RDP order) into each epoch's record, and saves the accountant's
   * history in checkpoints so that a resumed run keeps counting. List it before loggers that write the record.
   */
  epsilonCallback(): Callback {
    return {
      stateKey: 'dp_accountant',
      onEpochEnd: (_trainer, _module, record) => {
        const spent = this.privacySpent();
        record.epsilon = spent.epsilon;
        record.dp_best_order = spent.bestOrder;
      },
      stateDict: () => this.accountant.stateDict(),
      loadStateDict: (state) => this.accountant.loadStateDict(state),
    };
  }
}

export interface DpConfig {
  /** Either the noise multiplier, or a target epsilon from which it is found for the planned epochs. */
  noiseMultiplier?: number;
  targetEpsilon?: number;
  targetDelta: number;
  maxGradNorm: number;
}

/** The noise multiplier of a `dp` config block: given, or Opacus' get_noise_multiplier for the planned epochs. */
export function resolveNoiseMultiplier(dp: DpConfig, sampleRate: number, epochs: number): number {
  if ((dp.noiseMultiplier === undefined) === (dp.targetEpsilon === undefined)) {
    throw new Error('dp: give exactly one of dp.noise_multiplier and dp.target_epsilon');
  }
  if (dp.noiseMultiplier !== undefined) return dp.noiseMultiplier;
  return getNoiseMultiplier({
    targetEpsilon: dp.targetEpsilon as number,
    targetDelta: dp.targetDelta,
    sampleRate,
    epochs,
  });
}
