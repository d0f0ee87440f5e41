// t-SNE's input affinities, as scikit-learn's exact method computes them (_utils._binary_search_perplexity and
// _t_sne._joint_probabilities).

const PERPLEXITY_TOLERANCE = 1e-5;
const MAX_STEPS = 100;
/** np.finfo(np.double).eps: the floor sklearn puts under every probability. */
export const MACHINE_EPSILON = 2.220446049250313e-16;

/**
 * Row-conditional probabilities p(j|i) = exp(-β_i d_ij) / Σ_k exp(-β_i d_ik) over squared distances (n×n, row-major),
 * with β_i found by bisection so that each row's entropy is log(perplexity) within 1e-5 nats.
 * Distances are rounded to float32 first, as sklearn does.
 */
export function conditionalProbabilities(
  sqDistances: Float64Array,
  n: number,
  perplexity: number,
): { p: Float64Array; beta: Float64Array } {
  const p = new Float64Array(n * n);
  const betas = new Float64Array(n);
  const desiredEntropy = Math.log(perplexity);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) row[j] = Math.fround(sqDistances[i * n + j]);
    let betaMin = -Infinity;
    let betaMax = Infinity;
    let beta = 1;
    for (let step = 0; step < MAX_STEPS; step++) {
      let sumP = 0;
      for (let j = 0; j < n; j++) {
        const v = j === i ? 0 : Math.exp(-row[j] * beta);
        p[i * n + j] = v;
        sumP += v;
      }
      if (sumP === 0) sumP = 1e-8;
      let sumDistP = 0;
      for (let j = 0; j < n; j++) {
        p[i * n + j] /= sumP;
        sumDistP += row[j] * p[i * n + j];
      }
      // H = -Σ p log p = log Σ exp(-βd) + β Σ d p
      const entropyDiff = Math.log(sumP) + beta * sumDistP - desiredEntropy;
      if (Math.abs(entropyDiff) <= PERPLEXITY_TOLERANCE) break;
      if (entropyDiff > 0) {
        betaMin = beta;
        beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2;
      } else {
        betaMax = beta;
        beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2;
      }
    }
    betas[i] = beta;
  }
  return { p, beta: betas };
}

/**
 * Symmetric joint probabilities p_ij = (p(j|i) + p(i|j)) / Σ, floored at machine epsilon, condensed: the pairs
 * i < j in row order (length n(n-1)/2), like sklearn's `squareform` output. Over all i ≠ j they sum to 1.
 */
export function jointProbabilities(sqDistances: Float64Array, n: number, perplexity: number): Float64Array {
  const { p } = conditionalProbabilities(sqDistances, n, perplexity);
  let sum = 0;
  for (let k = 0; k < n * n; k++) sum += p[k];
  const total = Math.max(2 * sum, MACHINE_EPSILON); // Σ of P + Pᵀ
  const joint = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) joint[k++] = Math.max((p[i * n + j] + p[j * n + i]) / total, MACHINE_EPSILON);
  }
  return joint;
}
