// `training.trainer_type` and its blocks (`dp.*`, `amp_dtype`) -> the strategy, precision plugin, callbacks and (for
// dp) the Poisson-sampled training batches the Trainer runs with.
import type { BatchSource } from '../../data/batch';
import type { Callback } from '../callback';
import { MixedPrecision } from '../precision/mixed-precision';
import { type HalfDtype, HALF_DTYPES } from '../precision/half-round';
import { type PrecisionPlugin, float32Precision } from '../precision/plugin';
import { DpSgdStrategy, resolveNoiseMultiplier } from '../privacy/dp-sgd';
import { type IndexedExamples, PrivateBatchSource } from '../privacy/private-sampler';
import { type GradientStrategy, standardStrategy } from './gradient-strategy';

export const TRAINER_TYPES = ['standard', 'dp', 'mixed_precision'] as const;

export interface TrainerTypeConfig {
  trainer_type: string;
  dp?: {
    noise_multiplier?: number | null;
    target_epsilon?: number | null;
    target_delta: number;
    max_grad_norm: number;
    /** 'poisson' (default) or 'uniform'. */
    sampling?: string;
  };
  amp_dtype?: string;
}

export interface TrainingPluginsContext {
  /** The training examples by index (dp samples its own batches from them). */
  examples?: IndexedExamples;
  batchSize: number;
  epochs: number;
  seed?: number;
}

export interface TrainingPlugins {
  strategy: GradientStrategy;
  precision: PrecisionPlugin;
  /** To put first in the Trainer's callbacks (dp: epsilon per epoch and the accountant in checkpoints). */
  callbacks: Callback[];
  /** dp: the batches to train on instead of the ordinary loader. */
  trainSource?: BatchSource;
  /** One line for the run's log: what the trainer type does with which settings (dp: the noise multiplier found). */
  description: string;
}

export function trainingPluginsFromConfig(cfg: TrainerTypeConfig, ctx: TrainingPluginsContext): TrainingPlugins {
  switch (cfg.trainer_type) {
    case 'standard':
      return {
        strategy: standardStrategy,
        precision: float32Precision,
        callbacks: [],
        description: 'standard float32',
      };
    case 'mixed_precision': {
      const dtype = cfg.amp_dtype ?? 'float16';
      if (!HALF_DTYPES.includes(dtype as HalfDtype))
        throw new Error(`amp_dtype: expected one of ${HALF_DTYPES.join(', ')}, got '${dtype}'`);
      const precision = new MixedPrecision({ dtype: dtype as HalfDtype });
      const description = `mixed precision: ${dtype}${dtype === 'float16' ? ' with a dynamic loss scale' : ''}`;
      return { strategy: standardStrategy, precision, callbacks: [precision.callback()], description };
    }
    case 'dp': {
      if (!cfg.dp)
        throw new Error(
          "trainer_type 'dp' needs a dp block (dp.max_grad_norm, dp.target_delta, dp.noise_multiplier or dp.target_epsilon)",
        );
      if (!ctx.examples)
        throw new Error("trainer_type 'dp' needs the training examples by index to Poisson-sample its batches");
      const sampling = cfg.dp.sampling ?? 'poisson';
      if (sampling !== 'poisson' && sampling !== 'uniform')
        throw new Error(`dp.sampling: expected 'poisson' or 'uniform', got '${sampling}'`);
      const source = new PrivateBatchSource(ctx.examples, { batchSize: ctx.batchSize, sampling, seed: ctx.seed });
      const noiseMultiplier = resolveNoiseMultiplier(
        {
          noiseMultiplier: cfg.dp.noise_multiplier ?? undefined,
          targetEpsilon: cfg.dp.target_epsilon ?? undefined,
          targetDelta: cfg.dp.target_delta,
          maxGradNorm: cfg.dp.max_grad_norm,
        },
        source.sampleRate,
        ctx.epochs,
      );
      const strategy = new DpSgdStrategy({
        noiseMultiplier,
        maxGradNorm: cfg.dp.max_grad_norm,
        sampleRate: source.sampleRate,
        expectedBatchSize: source.expectedBatchSize,
        delta: cfg.dp.target_delta,
        seed: ctx.seed,
      });
      const target =
        cfg.dp.target_epsilon == null
          ? ''
          : ` (found for epsilon ${cfg.dp.target_epsilon} at delta ${cfg.dp.target_delta} after ${ctx.epochs} epochs)`;
      return {
        strategy,
        precision: float32Precision,
        callbacks: [strategy.epsilonCallback()],
        trainSource: source,
        description:
          `DP-SGD: noise multiplier ${noiseMultiplier.toFixed(4)}${target}, max_grad_norm ${cfg.dp.max_grad_norm}, ` +
          `${sampling} sampling at q = ${source.sampleRate.toPrecision(4)}`,
      };
    }
    default:
      throw new Error(`training.trainer_type: expected one of ${TRAINER_TYPES.join(', ')}, got '${cfg.trainer_type}'`);
  }
}
