// The TrainModule of gravity-vit: any of the three models (logits, or [logits, view attention] for multiview_vit)
// trained with the configured loss; validation/test steps return the loss and per-example correctness (so the
// Trainer reports `val_loss`, `val_accuracy`) and gather predictions for the set-wise metrics (metrics-callback.ts).
import * as tf from '@tensorflow/tfjs';
import type { Batch, StepContext, TrainModule } from '@research/common';
import { type LossSpec, classificationLoss } from './loss';
import { PredictionStore } from './predictions';

export interface GravityModule extends TrainModule {
  readonly model: tf.LayersModel;
  /** Predictions of the last validation pass (reset when a new pass starts) and of the last test pass. */
  readonly predictions: { val: PredictionStore; test: PredictionStore };
}

function need(batch: Batch, key: string): tf.Tensor {
  const t = batch[key];
  if (!t) throw new Error(`gravity-vit: batch has no '${key}' (keys: ${Object.keys(batch).join(', ')})`);
  return t;
}

/** Logits and (multi-view models) attention [B, classes, views] of one forward pass. */
function forward(
  model: tf.LayersModel,
  x: tf.Tensor,
  training: boolean,
): { logits: tf.Tensor2D; attention?: tf.Tensor3D } {
  const out = model.apply(x, { training });
  if (Array.isArray(out)) return { logits: out[0] as tf.Tensor2D, attention: out[1] as tf.Tensor3D };
  return { logits: out as tf.Tensor2D };
}

export interface GravityModuleOptions {
  loss: LossSpec;
  numClasses: number;
  /** Views of the model's attention output (4 for multiview_vit, 0 otherwise). */
  numViews: number;
}

export function gravityModule(model: tf.LayersModel, opts: GravityModuleOptions): GravityModule {
  const lossFn = classificationLoss(opts.loss);
  const fresh = () => new PredictionStore(opts.numClasses, opts.numViews);
  const predictions = { val: fresh(), test: fresh() };
  const evaluate = (batch: Batch, ctx: StepContext) => {
    const stage = ctx.stage === 'test' ? 'test' : 'val';
    if (ctx.batchIndex === 0) predictions[stage] = fresh();
    const labels = need(batch, 'y');
    const { logits, attention } = forward(model, need(batch, 'x'), false);
    const predicted = tf.argMax(logits, -1);
    predictions[stage].add(labels.dataSync(), predicted.dataSync(), attention?.dataSync());
    return { loss: lossFn(logits, labels), accuracy: tf.equal(predicted, labels.toInt()).toFloat() };
  };
  return {
    model,
    get predictions() {
      return predictions;
    },
    models: { model },
    trainingStep(batch) {
      const labels = need(batch, 'y');
      const { logits } = forward(model, need(batch, 'x'), true);
      const accuracy = tf.equal(tf.argMax(logits, -1), labels.toInt()).toFloat().mean() as tf.Scalar;
      return { loss: lossFn(logits, labels), logs: { accuracy } };
    },
    validationStep: evaluate,
    testStep: evaluate,
  };
}
