import * as tf from '@tensorflow/tfjs';

/** torch's reductions, plus 'batchmean' (sum over everything divided by the batch size, as VAEs use). */
export type Reduction = 'mean' | 'sum' | 'none' | 'batchmean';

export function reduce(loss: tf.Tensor, reduction: Reduction, owner: string): tf.Tensor {
  switch (reduction) {
    case 'mean':
      return loss.mean();
    case 'sum':
      return loss.sum();
    case 'none':
      return loss;
    case 'batchmean':
      return loss.sum().div(loss.shape[0] ?? 1);
    default:
      throw new Error(`${owner}: reduction must be 'mean', 'sum', 'none' or 'batchmean', got '${String(reduction)}'`);
  }
}

export function checkSameShape(owner: string, a: tf.Tensor, aName: string, b: tf.Tensor, bName: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${owner}: ${aName} has shape [${a.shape}] but ${bName} has shape [${b.shape}]`);
  }
}

/** Checks logits [N, C] and integer labels [N]; returns C. */
export function checkClassification(owner: string, logits: tf.Tensor, labels: tf.Tensor): number {
  if (logits.rank !== 2) throw new Error(`${owner}: logits must be [batch, classes], got shape [${logits.shape}]`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(
      `${owner}: labels must be class indices of shape [${logits.shape[0]}], got shape [${labels.shape}]`,
    );
  }
  return logits.shape[1] as number;
}

export function classWeights(owner: string, weight: readonly number[] | tf.Tensor1D, classes: number): tf.Tensor1D {
  const w = Array.isArray(weight) ? tf.tensor1d(weight as number[]) : (weight as tf.Tensor1D);
  if (w.rank !== 1 || w.shape[0] !== classes) {
    throw new Error(`${owner}: weight must have one entry per class (${classes}), got shape [${w.shape}]`);
  }
  return w;
}
