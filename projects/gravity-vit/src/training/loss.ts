// The classification loss of a run: cross-entropy with label smoothing, or focal loss (Lin et al. 2017), both from
// common's losses, with optional class weights (torch's `weight` for cross-entropy, per-class alpha for focal loss).
import type * as tf from '@tensorflow/tfjs';
import { crossEntropy, focalLoss } from '@research/common';

export interface LossSpec {
  name: 'cross_entropy' | 'focal_loss';
  /** Cross-entropy only (torch's label_smoothing). */
  labelSmoothing: number;
  /** Focal loss only; 0 is plain cross-entropy. */
  gamma: number;
  /** One weight per class, or undefined for none. */
  classWeights?: readonly number[];
}

export type LossFn = (logits: tf.Tensor, labels: tf.Tensor) => tf.Scalar;

export function classificationLoss(spec: LossSpec): LossFn {
  switch (spec.name) {
    case 'cross_entropy':
      return (logits, labels) =>
        crossEntropy(logits, labels, { labelSmoothing: spec.labelSmoothing, weight: spec.classWeights }) as tf.Scalar;
    case 'focal_loss':
      return (logits, labels) =>
        focalLoss(logits, labels, { gamma: spec.gamma, alpha: spec.classWeights }) as tf.Scalar;
    default:
      throw new Error(
        `classificationLoss: train.loss.name must be 'cross_entropy' or 'focal_loss', got '${(spec as { name: string }).name}'`,
      );
  }
}
