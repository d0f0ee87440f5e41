import * as tf from '@tensorflow/tfjs';
import { type Reduction, checkClassification, classWeights, reduce } from './reduce';

export interface CrossEntropyOptions {
  /** Per-class weights (torch's `weight`): the mean divides by the sum of the targets' weights. */
  weight?: readonly number[] | tf.Tensor1D;
  /** torch's `label_smoothing` in [0, 1). */
  labelSmoothing?: number;
  reduction?: Exclude<Reduction, 'batchmean'>;
}

/**
 * torch.nn.functional.cross_entropy from logits [N, C] and class indices [N], with torch's definitions:
 * nll_i = −w[y_i]·log p_i[y_i]; smooth_i = −Σ_c w[c]·log p_i[c];
 * loss = (1 − ε)·nll + (ε / C)·smooth, where 'mean' divides both sums by Σ_i w[y_i] (N without weights).
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, opts: CrossEntropyOptions = {}): tf.Tensor {
  const eps = opts.labelSmoothing ?? 0;
  const reduction = opts.reduction ?? 'mean';
  if (!(eps >= 0 && eps < 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1), got ${eps}`);
  const classes = checkClassification('crossEntropy', logits, labels);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits.toFloat());
    const oneHot = tf.oneHot(labels.toInt(), classes);
    const w = opts.weight ? classWeights('crossEntropy', opts.weight, classes) : null;
    const targetWeight = w ? oneHot.mul(w).sum(1) : tf.onesLike(labels).toFloat();
    const nll = logp.mul(oneHot).sum(1).neg().mul(targetWeight);
    const smooth = (w ? logp.mul(w) : logp).sum(1).neg();
    if (reduction === 'none') return nll.mul(1 - eps).add(smooth.mul(eps / classes));
    const denom = reduction === 'mean' ? targetWeight.sum() : tf.scalar(1);
    return nll
      .sum()
      .mul(1 - eps)
      .add(smooth.sum().mul(eps / classes))
      .div(denom);
  });
}

export interface FocalLossOptions {
  /** Focusing parameter γ ≥ 0 (γ = 0 is cross-entropy). Default 2. */
  gamma?: number;
  /** Class balance α: one number for all classes or one per class. */
  alpha?: number | readonly number[];
  reduction?: Exclude<Reduction, 'batchmean'>;
}

/** Multi-class focal loss (Lin et al. 2017) from logits: −α_y (1 − p_y)^γ log p_y, plain mean over examples. */
export function focalLoss(logits: tf.Tensor, labels: tf.Tensor, opts: FocalLossOptions = {}): tf.Tensor {
  const gamma = opts.gamma ?? 2;
  if (!(gamma >= 0)) throw new Error(`focalLoss: gamma must be >= 0, got ${gamma}`);
  const classes = checkClassification('focalLoss', logits, labels);
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels.toInt(), classes);
    const logpt = tf.logSoftmax(logits.toFloat()).mul(oneHot).sum(1);
    let loss = tf.sub(1, logpt.exp()).pow(gamma).mul(logpt).neg();
    if (typeof opts.alpha === 'number') loss = loss.mul(opts.alpha);
    else if (opts.alpha) loss = loss.mul(oneHot.mul(classWeights('focalLoss', opts.alpha, classes)).sum(1));
    return reduce(loss, opts.reduction ?? 'mean', 'focalLoss');
  });
}
