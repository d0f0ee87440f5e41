import * as tf from '@tensorflow/tfjs';
import { type Reduction, checkSameShape, reduce } from './reduce';

export interface TripletMarginOptions {
  margin?: number;
  /** Norm degree of the distance (torch's `p`): 1 or 2. */
  p?: 1 | 2;
  /** torch's pairwise_distance epsilon, added to the difference before the norm. */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (Balntas et al.). */
  swap?: boolean;
  reduction?: Exclude<Reduction, 'batchmean'>;
}

function pairwiseDistance(a: tf.Tensor, b: tf.Tensor, p: 1 | 2, eps: number): tf.Tensor {
  const diff = a.sub(b).add(eps);
  return p === 1 ? diff.abs().sum(-1) : diff.square().sum(-1).sqrt();
}

/** torch.nn.functional.triplet_margin_loss: max(d(a, p) − d(a, n) + margin, 0) with d(x, y) = ‖x − y + eps‖_p. */
export function tripletMarginLoss(
  anchor: tf.Tensor,
  positive: tf.Tensor,
  negative: tf.Tensor,
  opts: TripletMarginOptions = {},
): tf.Tensor {
  const { margin = 1, p = 2, eps = 1e-6, swap = false } = opts;
  if (p !== 1 && p !== 2) throw new Error(`tripletMarginLoss: p must be 1 or 2, got ${String(p)}`);
  checkSameShape('tripletMarginLoss', anchor, 'anchor', positive, 'positive');
  checkSameShape('tripletMarginLoss', anchor, 'anchor', negative, 'negative');
  return tf.tidy(() => {
    const dPos = pairwiseDistance(anchor, positive, p, eps);
    let dNeg = pairwiseDistance(anchor, negative, p, eps);
    if (swap) dNeg = tf.minimum(dNeg, pairwiseDistance(positive, negative, p, eps));
    return reduce(tf.relu(dPos.sub(dNeg).add(margin)), opts.reduction ?? 'mean', 'tripletMarginLoss');
  });
}

/** Euclidean distance matrix [N, N] of embeddings [N, D]; sqrt(max(d², 1e-12)) keeps the gradient finite at 0. */
export function euclideanDistanceMatrix(embeddings: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const diff = embeddings.expandDims(1).sub(embeddings.expandDims(0));
    return diff.square().sum(-1).maximum(1e-12).sqrt();
  });
}

/**
 * Batch-hard triplet loss (Hermans et al. 2017): for every anchor, its farthest same-label example and its nearest
 * other-label example in the batch; mean of max(margin + d_pos − d_neg, 0) over the anchors that have both.
 * A batch where no anchor has both gives 0.
 */
export function batchHardTripletLoss(
  embeddings: tf.Tensor,
  labels: tf.Tensor,
  opts: { margin?: number } = {},
): tf.Scalar {
  const margin = opts.margin ?? 1;
  if (embeddings.rank !== 2)
    throw new Error(`batchHardTripletLoss: embeddings must be [batch, dim], got [${embeddings.shape}]`);
  if (labels.rank !== 1 || labels.shape[0] !== embeddings.shape[0]) {
    throw new Error(`batchHardTripletLoss: labels must have shape [${embeddings.shape[0]}], got [${labels.shape}]`);
  }
  return tf.tidy(() => {
    const n = labels.shape[0];
    const d = euclideanDistanceMatrix(embeddings);
    const y = labels.toInt();
    const same = tf.equal(y.expandDims(1), y.expandDims(0));
    const pos = tf.logicalAnd(same, tf.logicalNot(tf.eye(n).cast('bool')));
    const neg = tf.logicalNot(same);
    // Masked entries must not win the max/min: far below/above any distance.
    const big = tf.scalar(1e9);
    const hardestPos = tf.where(pos, d, big.neg().broadcastTo(d.shape)).max(1);
    const hardestNeg = tf.where(neg, d, big.broadcastTo(d.shape)).min(1);
    const valid = tf.logicalAnd(pos.any(1), neg.any(1)).toFloat();
    const perAnchor = tf.relu(hardestPos.sub(hardestNeg).add(margin)).mul(valid);
    return perAnchor.sum().div(valid.sum().maximum(1)) as tf.Scalar;
  });
}
