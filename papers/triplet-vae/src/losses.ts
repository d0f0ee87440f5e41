// The paper's objective from config weights:
//   multi-task: w_triplet·triplet + w_cls·CE + w_rec·MSE(reconstruction, image) + w_kl·KL(N(mu, sigma²) ‖ N(0, I))
//   simple:     triplet + classifier_weight·CE
// The triplet term is the margin loss on (anchor, positive, negative) embeddings, or the batch-hard loss when the
// batch holds plain labelled images (in-batch mining).
import * as tf from '@tensorflow/tfjs';
import {
  batchHardTripletLoss,
  crossEntropy,
  gaussianKlDivergence,
  mseLoss,
  tripletMarginLoss,
  weightedLossSum,
  type TripletVaeOutputs,
} from '@research/common';
import type { TripletVaeConfig } from './config';

export type LossWeights = TripletVaeConfig['loss'];

/** How the triplet term is formed from a forward pass over a batch. */
export type TripletLayout =
  /** The batch is [anchors; positives; negatives], B each. */
  | { kind: 'triplets'; count: number }
  /** The batch is plain labelled images: hardest positive and negative per anchor within the batch. */
  | { kind: 'batch_hard' };

/** The triplet term of one forward pass. */
export function tripletTerm(
  embedding: tf.Tensor2D,
  labels: tf.Tensor1D,
  layout: TripletLayout,
  margin: number,
): tf.Scalar {
  return tf.tidy(() => {
    if (layout.kind === 'batch_hard') return batchHardTripletLoss(embedding, labels, { margin });
    const b = layout.count;
    if (embedding.shape[0] !== 3 * b)
      throw new Error(
        `tripletTerm: expected 3 x ${b} embeddings (anchors, positives, negatives), got ${embedding.shape[0]}`,
      );
    const [a, p, n] = tf.split(embedding, 3, 0);
    return tripletMarginLoss(a, p, n, { margin }) as tf.Scalar;
  });
}

/** The unweighted loss terms: triplet and cls always, rec and kl when the outputs carry the VAE parts. */
export function lossTerms(
  outputs: TripletVaeOutputs,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  layout: TripletLayout,
  margin: number,
): Record<string, tf.Scalar> {
  const terms: Record<string, tf.Scalar> = {
    triplet: tripletTerm(outputs.embedding, labels, layout, margin),
    cls: crossEntropy(outputs.logits, labels) as tf.Scalar,
  };
  if (outputs.reconstruction) terms.rec = mseLoss(outputs.reconstruction, images) as tf.Scalar;
  if (outputs.mu && outputs.logvar) terms.kl = gaussianKlDivergence(outputs.mu, outputs.logvar) as tf.Scalar;
  return terms;
}

/** The weight of each term for a model mode. */
export function lossWeights(mode: 'simple' | 'multitask', weights: LossWeights): Record<string, number> {
  if (mode === 'simple') return { triplet: 1, cls: weights.classifier_weight };
  return { triplet: weights.triplet_weight, cls: weights.cls_weight, rec: weights.rec_weight, kl: weights.kl_weight };
}

/** The weighted total and the unweighted terms (as logs). */
export function tripletVaeLoss(
  mode: 'simple' | 'multitask',
  outputs: TripletVaeOutputs,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  layout: TripletLayout,
  weights: LossWeights,
): { loss: tf.Scalar; logs: Record<string, tf.Scalar> } {
  const terms = lossTerms(outputs, images, labels, layout, weights.margin);
  return weightedLossSum(terms, lossWeights(mode, weights));
}
