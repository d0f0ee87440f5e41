import * as tf from '@tensorflow/tfjs';

/**
 * Weighted multi-task loss: Σ_k w_k · term_k. Returns the total and the unweighted terms (as `logs`, the shape a
 * TrainModule's trainingStep returns). Every term needs a weight and every weight a term, so a typo is an error.
 */
export function weightedLossSum(
  terms: Record<string, tf.Scalar>,
  weights: Record<string, number>,
): { loss: tf.Scalar; logs: Record<string, tf.Scalar> } {
  for (const key of Object.keys(weights)) {
    if (!(key in terms))
      throw new Error(`weightedLossSum: weight '${key}' names no loss term (terms: ${Object.keys(terms).join(', ')})`);
  }
  const entries = Object.entries(terms);
  if (entries.length === 0) throw new Error('weightedLossSum: no loss terms');
  for (const [key, term] of entries) {
    const w = weights[key];
    if (w === undefined)
      throw new Error(
        `weightedLossSum: loss term '${key}' has no weight (weights: ${Object.keys(weights).join(', ')})`,
      );
    if (!Number.isFinite(w)) throw new Error(`weightedLossSum: weight '${key}' must be a finite number, got ${w}`);
    if (term.rank !== 0)
      throw new Error(`weightedLossSum: loss term '${key}' must be a scalar, got shape [${term.shape}]`);
  }
  const loss = tf.tidy(() => tf.addN(entries.map(([key, term]) => term.mul(weights[key]))) as tf.Scalar);
  return { loss, logs: { ...terms } };
}
