// The TrainModule of the paper: one forward pass over [anchors; positives; negatives] (or a plain batch for in-batch
// hard mining), every loss term on every image of the pass, accuracy on all of them.
import * as tf from '@tensorflow/tfjs';
import { type Batch, type TrainModule, type TripletVaeModel } from '@research/common';
import { type LossWeights, type TripletLayout, tripletVaeLoss } from './losses';

function need(batch: Batch, key: string): tf.Tensor {
  const t = batch[key];
  if (!t) throw new Error(`triplet-vae: batch has no '${key}' (keys: ${Object.keys(batch).join(', ')})`);
  return t;
}

/** Images, labels and triplet layout of a batch: a TripletDataset batch or a DataLoader batch {x, y}. */
export function batchInputs(batch: Batch): { images: tf.Tensor4D; labels: tf.Tensor1D; layout: TripletLayout } {
  if ('anchor' in batch) {
    const count = need(batch, 'anchor').shape[0];
    const y = need(batch, 'y');
    return {
      images: tf.concat([need(batch, 'anchor'), need(batch, 'positive'), need(batch, 'negative')] as tf.Tensor4D[], 0),
      labels: tf.concat([y, y, need(batch, 'y_negative')] as tf.Tensor1D[], 0),
      layout: { kind: 'triplets', count },
    };
  }
  return {
    images: need(batch, 'x') as tf.Tensor4D,
    labels: need(batch, 'y') as tf.Tensor1D,
    layout: { kind: 'batch_hard' },
  };
}

function correct(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.equal(tf.argMax(logits, -1), labels.toInt()).toFloat() as tf.Tensor1D;
}

/**
 * Training: the weighted total of the terms, logging each term and accuracy. Validation/test on {x, y} batches: the
 * same terms with the batch-hard triplet loss, logged as `triplet_hard` (`val_triplet_hard`: not the same quantity as
 * the random triplets' `train_triplet`), and per-example accuracy (exact over the set).
 */
export function tripletVaeModule(model: TripletVaeModel, weights: LossWeights): TrainModule {
  const evaluate = (batch: Batch) => {
    const images = need(batch, 'x') as tf.Tensor4D;
    const labels = need(batch, 'y') as tf.Tensor1D;
    const outputs = model.forward(images, false);
    const { loss, logs } = tripletVaeLoss(model.mode, outputs, images, labels, { kind: 'batch_hard' }, weights);
    const { triplet, ...terms } = logs;
    return { loss, triplet_hard: triplet, ...terms, acc: correct(outputs.logits, labels) };
  };
  return {
    models: model.models,
    trainingStep(batch) {
      const { images, labels, layout } = batchInputs(batch);
      const outputs = model.forward(images, true);
      const { loss, logs } = tripletVaeLoss(model.mode, outputs, images, labels, layout, weights);
      return { loss, logs: { ...logs, acc: correct(outputs.logits, labels).mean() as tf.Scalar } };
    },
    validationStep: evaluate,
  };
}
