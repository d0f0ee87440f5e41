import * as tf from '@tensorflow/tfjs';
import { type Reduction, checkSameShape, reduce } from './reduce';

/**
 * KL(N(μ, σ²) ‖ N(0, I)) of a diagonal Gaussian latent given μ and log σ² of shape [N, D]:
 * per example −½ Σ_d (1 + logvar − μ² − exp(logvar)); 'mean' averages the per-example sums over the batch.
 */
export function gaussianKlDivergence(
  mu: tf.Tensor,
  logvar: tf.Tensor,
  opts: { reduction?: Exclude<Reduction, 'batchmean'> } = {},
): tf.Tensor {
  checkSameShape('gaussianKlDivergence', mu, 'mu', logvar, 'logvar');
  return tf.tidy(() => {
    const perDim = tf.add(1, logvar).sub(mu.square()).sub(logvar.exp());
    const perExample = perDim
      .reshape([mu.shape[0] ?? 1, -1])
      .sum(1)
      .mul(-0.5);
    return reduce(perExample, opts.reduction ?? 'mean', 'gaussianKlDivergence');
  });
}

/** torch.nn.functional.mse_loss (element mean by default; 'batchmean' sums and divides by the batch size). */
export function mseLoss(pred: tf.Tensor, target: tf.Tensor, opts: { reduction?: Reduction } = {}): tf.Tensor {
  checkSameShape('mseLoss', pred, 'prediction', target, 'target');
  return tf.tidy(() => reduce(pred.sub(target).square(), opts.reduction ?? 'mean', 'mseLoss'));
}

/** torch.nn.functional.binary_cross_entropy_with_logits: max(x, 0) − x·y + log(1 + e^−|x|), numerically stable. */
export function bceWithLogits(logits: tf.Tensor, target: tf.Tensor, opts: { reduction?: Reduction } = {}): tf.Tensor {
  checkSameShape('bceWithLogits', logits, 'logits', target, 'target');
  return tf.tidy(() => {
    const loss = tf
      .relu(logits)
      .sub(logits.mul(target))
      .add(tf.log1p(tf.exp(logits.abs().neg())));
    return reduce(loss, opts.reduction ?? 'mean', 'bceWithLogits');
  });
}

/** torch.nn.functional.binary_cross_entropy from probabilities; the logs are clamped at −100 as torch does. */
export function bceFromProbs(probs: tf.Tensor, target: tf.Tensor, opts: { reduction?: Reduction } = {}): tf.Tensor {
  checkSameShape('bceFromProbs', probs, 'probabilities', target, 'target');
  return tf.tidy(() => {
    const logP = tf.log(probs).maximum(-100);
    const log1mP = tf.log(tf.sub(1, probs)).maximum(-100);
    const loss = target.mul(logP).add(tf.sub(1, target).mul(log1mP)).neg();
    return reduce(loss, opts.reduction ?? 'mean', 'bceFromProbs');
  });
}
