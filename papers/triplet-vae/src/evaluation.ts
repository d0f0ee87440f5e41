// Inference over a dataset (predictions, embeddings, reconstruction error) and the kNN accuracy of embeddings.
import * as tf from '@tensorflow/tfjs';
import { type ImageDataset, type TripletVaeModel } from '@research/common';
import { evalSource } from './data';

export interface DatasetOutputs {
  /** Row-major [n, dim] L2-normalised embeddings. */
  embeddings: Float32Array;
  dim: number;
  predictions: Int32Array;
  labels: Int32Array;
  /** Mean squared error of the reconstructions over all pixels (multi-task mode only). */
  reconstructionMse?: number;
}

/** One inference pass (z = mu) over a dataset. */
export async function runInference(
  model: TripletVaeModel,
  dataset: ImageDataset,
  batchSize = 256,
): Promise<DatasetOutputs> {
  const n = dataset.length;
  const chunks: Float32Array[] = [];
  const predictions = new Int32Array(n);
  let squaredError = 0;
  let at = 0;
  let dim = 0;
  for await (const batch of evalSource(dataset, batchSize).batches(0)) {
    const x = batch.x as tf.Tensor4D;
    const outputs = model.forward(x, false);
    dim = outputs.embedding.shape[1];
    chunks.push(new Float32Array(outputs.embedding.dataSync()));
    predictions.set(tf.tidy(() => tf.argMax(outputs.logits, -1)).dataSync() as Int32Array, at);
    if (outputs.reconstruction)
      squaredError += tf.tidy(() => tf.sum(tf.squaredDifference(outputs.reconstruction as tf.Tensor, x))).dataSync()[0];
    at += x.shape[0];
    tf.dispose(batch);
    tf.dispose(Object.values(outputs) as tf.Tensor[]);
  }
  const embeddings = new Float32Array(n * dim);
  let offset = 0;
  for (const chunk of chunks) {
    embeddings.set(chunk, offset);
    offset += chunk.length;
  }
  const reconstructionMse = model.mode === 'multitask' ? squaredError / (n * dataset.pixelsPerImage) : undefined;
  return { embeddings, dim, predictions, labels: Int32Array.from(dataset.labels), reconstructionMse };
}

/** The most frequent label among the neighbours; ties go to the smallest label (scikit-learn's mode). */
export function majorityVote(neighbourLabels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < neighbourLabels.length; i++)
    counts.set(neighbourLabels[i], (counts.get(neighbourLabels[i]) ?? 0) + 1);
  let best = -1;
  let bestCount = 0;
  for (const [label, count] of counts) {
    if (count > bestCount || (count === bestCount && label < best)) {
      best = label;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Accuracy of a k-nearest-neighbour classifier (Euclidean, uniform weights) with the `index` embeddings as the
 * training set, on the `query` embeddings. Distances are computed in chunks of queries to bound memory.
 */
export function knnAccuracy(
  index: { embeddings: Float32Array; labels: ArrayLike<number>; dim: number },
  query: { embeddings: Float32Array; labels: ArrayLike<number>; dim: number },
  k: number,
  chunkSize = 512,
): number {
  if (index.dim !== query.dim)
    throw new Error(`knnAccuracy: index dim ${index.dim} differs from query dim ${query.dim}`);
  const nIndex = index.labels.length;
  const nQuery = query.labels.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= nIndex))
    throw new Error(`knnAccuracy: k must be an integer in [1, ${nIndex}], got ${k}`);
  const indexLabels = Int32Array.from(index.labels);
  let correctCount = 0;
  const base = tf.tensor2d(index.embeddings, [nIndex, index.dim]);
  const baseSq = tf.tidy(() => tf.sum(tf.square(base), 1).reshape([1, nIndex]));
  try {
    for (let start = 0; start < nQuery; start += chunkSize) {
      const count = Math.min(chunkSize, nQuery - start);
      const neighbours = tf.tidy(() => {
        const q = tf.tensor2d(query.embeddings.subarray(start * query.dim, (start + count) * query.dim), [
          count,
          query.dim,
        ]);
        // ‖q − b‖² = ‖q‖² − 2 q·b + ‖b‖²; the smallest k are the largest k of its negation.
        const sq = tf.add(tf.sub(tf.sum(tf.square(q), 1, true), tf.mul(2, tf.matMul(q, base, false, true))), baseSq);
        return tf.topk(tf.neg(sq), k).indices;
      });
      const ids = neighbours.dataSync();
      neighbours.dispose();
      for (let i = 0; i < count; i++) {
        const vote = majorityVote(Array.from(ids.subarray(i * k, (i + 1) * k), (j) => indexLabels[j]));
        if (vote === query.labels[start + i]) correctCount++;
      }
    }
  } finally {
    tf.dispose([base, baseSq]);
  }
  return correctCount / nQuery;
}

/** Fraction of equal entries. */
export function accuracyOf(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hits++;
  return hits / labels.length;
}
