import type * as tf from '@tensorflow/tfjs';

/**
 * Class labels from a tensor: a rank-1 tensor of labels as is, a rank-2 tensor of scores/logits [n, C] by argmax.
 * Does not dispose the input.
 */
export async function labelsFromTensor(t: tf.Tensor): Promise<Int32Array> {
  if (t.rank === 1) return Int32Array.from(await t.data());
  if (t.rank === 2) {
    const indices = t.argMax(1);
    try {
      return Int32Array.from(await indices.data());
    } finally {
      indices.dispose();
    }
  }
  throw new Error(`labelsFromTensor: expected labels [n] or scores [n, classes], got shape [${t.shape.join(', ')}]`);
}
