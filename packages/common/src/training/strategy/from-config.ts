// `training.trainer_type` and its blocks (`dp.*`, `amp_dtype`) -> the strategy, precision plugin, callbacks and (for
// dp) the Poisson-sampled training batches the Trainer runs with.
import * as os from 'node:os';
import type { BatchSource } from '../../data/batch';
import type { Callback } from '../callback';
import { MixedPrecision } from '../precision/mixed-precision';
import { type HalfDtype, HALF_DTYPES } from '../precision/half-round';
import { type PrecisionPlugin, float32Precision } from '../precision/plugin';
import { DpSgdStrategy, resolveNoiseMultiplier } from '../privacy/dp-sgd';
import { type IndexedExamples, PrivateBatchSource } from '../privacy/private-sampler';
import { DataParallelStrategy } from '../distributed/data-parallel';
import type { ReplicaFactoryRef } from '../distributed/replica';
import { type GradientStrategy, standardStrategy } from './gradient-strategy';

export const TRAINER_TYPES = ['standard', 'dp', 'accelerate', 'mixed_precision'] as const;

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
  /** accelerate: ranks in all (rank 0 is this process); 0 or absent: one per core. */
  accelerate?: { num_workers?: number };
}

export interface TrainingPluginsContext {
  /** The training examples by index (dp samples its own batches from them). */
  examples?: IndexedExamples;
  batchSize: number;
  epochs: number;
  seed?: number;
  /** accelerate: how a worker thread rebuilds the module and its data (the run layer's SetupContext.replica). */
  replica?: ReplicaFactoryRef;
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
  /** Releases what the plugins started (accelerate: stops its worker threads if the fit failed). */
  dispose?(): Promise<void>;
}

/** accelerate's default: one single-threaded rank per core. */
export function defaultWorldSize(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

export function trainingPluginsFromConfig(cfg: TrainerTypeConfig, ctx: TrainingPluginsContext): TrainingPlugins {
  const workers = cfg.accelerate?.num_workers ?? 0;
  if (!(Number.isInteger(workers) && workers >= 0))
    throw new Error(`accelerate.num_workers: expected an integer >= 0 (0: one per core), got ${workers}`);
  if (cfg.trainer_type !== 'accelerate' && workers > 1) {
    throw new Error(
      `accelerate.num_workers = ${workers} needs trainer_type 'accelerate', got '${cfg.trainer_type}'` +
        (cfg.trainer_type === 'dp'
          ? ': DP-SGD on data-parallel workers is not supported (its noise and privacy accounting are per global step); use one worker'
          : ''),
    );
  }
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
    case 'accelerate': {
      const worldSize = workers || defaultWorldSize();
      const strategy = new DataParallelStrategy({ worldSize, replica: ctx.replica });
      return {
        strategy,
        precision: float32Precision,
        callbacks: [strategy.callback()],
        dispose: () => strategy.dispose(),
        description: `accelerate: ${worldSize} data-parallel workers, gradients averaged through shared memory`,
      };
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
