// Gradient strategies (the part of Lightning's Strategy that computes a step's gradients): the standard one runs
// the module's trainingStep under the gradient tape; DP-SGD (../privacy) computes clipped, noised per-example
// gradients instead. The Trainer calls `setup` at fit start and `computeGradients` for every batch.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../data';
import type { ModuleParameters, StepContext, TrainModule } from '../module';
import { type PrecisionPlugin, float32Precision } from '../precision/plugin';

/** One batch's results: the loss and logs as numbers, the gradients by parameter name (owned by the caller). */
export interface StepGradients {
  loss: number;
  logs: Record<string, number>;
  grads: Record<string, tf.Tensor>;
}

/** What a strategy may need to refuse at fit start. */
export interface StrategySetup {
  accumulateGradBatches: number;
  gradClipNorm?: number;
  precision: PrecisionPlugin;
  /** The checkpoint the fit resumes from (data-parallel workers restore it too). */
  resumeFrom?: string;
  /** Stops the fit after the current batch (a data-parallel worker whose rank 0 has finished). */
  stop?: (reason: string) => void;
}

export interface GradientStrategy {
  readonly name: string;
  /** At fit start: checks the module and the trainer's settings; throws a clear error for what it cannot train. */
  setup(module: TrainModule, params: ModuleParameters, opts: StrategySetup): void;
  computeGradients(
    module: TrainModule,
    params: ModuleParameters,
    batch: Batch,
    ctx: StepContext,
    precision?: PrecisionPlugin,
  ): StepGradients;
}

/** tf.variableGrads over the trainable weights of `module.trainingStep`, in the given precision. */
export function standardGradients(
  module: TrainModule,
  params: ModuleParameters,
  batch: Batch,
  ctx: StepContext,
  precision: PrecisionPlugin = float32Precision,
): StepGradients {
  let logTensors: Record<string, tf.Scalar> = {};
  let lossTensor: tf.Scalar | undefined;
  const vars = params.trainable.map((p) => p.variable);
  const { value, grads } = precision.forwardContext(module, params, () =>
    tf.variableGrads(() => {
      const out = module.trainingStep(batch, ctx);
      logTensors = out.logs ?? {};
      for (const t of Object.values(logTensors)) tf.keep(t); // survive the tape's tidy
      lossTensor = tf.keep(out.loss);
      return precision.scaleLoss(out.loss);
    }, vars),
  );
  const byName: Record<string, tf.Tensor> = {};
  for (const p of params.trainable) {
    const g = grads[p.variable.name];
    if (g) byName[p.name] = g;
  }
  const loss = (lossTensor as tf.Scalar).dataSync()[0];
  const logs: Record<string, number> = {};
  for (const [k, t] of Object.entries(logTensors)) logs[k] = t.dataSync()[0];
  tf.dispose([value, lossTensor as tf.Scalar, logTensors]);
  return { loss, logs, grads: precision.afterBackward(byName) };
}

/** The standard strategy: one loss, one backward pass, averaged gradients. */
export const standardStrategy: GradientStrategy = {
  name: 'standard',
  setup: () => undefined,
  computeGradients: standardGradients,
};
