// How faithfully an embedding keeps neighbourhoods.
import { squaredDistances, toDenseMatrix, type EmbeddingInput } from './matrix';

/** Indices of each row's other rows sorted by distance (ties by index). */
function neighborOrder(sq: Float64Array, n: number, i: number): number[] {
  const order = Array.from({ length: n - 1 }, (_, k) => (k < i ? k : k + 1));
  return order.sort((a, b) => sq[i * n + a] - sq[i * n + b] || a - b);
}

/**
 * sklearn.manifold.trustworthiness (Euclidean): 1 − 2/(n k (2n − 3k − 1)) Σ_i Σ_{j ∈ U_i} (r(i, j) − k), where U_i are
 * the k nearest neighbours of i in the embedding that are not among its k nearest in the input and r(i, j) is j's
 * rank among i's input neighbours. 1 = no false neighbours. Needs k < n / 2.
 */
export function trustworthiness(input: EmbeddingInput, embedded: EmbeddingInput, nNeighbors = 5): number {
  const x = toDenseMatrix(input, 'trustworthiness (input)');
  const y = toDenseMatrix(embedded, 'trustworthiness (embedding)');
  const { n } = x;
  if (y.n !== n) throw new Error(`trustworthiness: the embedding has ${y.n} rows, the input ${n}`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 1 || nNeighbors >= n / 2) {
    throw new Error(`trustworthiness: nNeighbors must be an integer in [1, n/2) = [1, ${n / 2}), got ${nNeighbors}`);
  }
  const dx = squaredDistances(x);
  const dy = squaredDistances(y);
  const rank = new Int32Array(n);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    neighborOrder(dx, n, i).forEach((j, r) => (rank[j] = r + 1));
    for (const j of neighborOrder(dy, n, i).slice(0, nNeighbors)) penalty += Math.max(0, rank[j] - nNeighbors);
  }
  return 1 - (penalty * 2) / (n * nNeighbors * (2 * n - 3 * nNeighbors - 1));
}

/** Fraction of each point's k nearest neighbours (in the embedding) that share its label: 1 = classes stay apart. */
export function neighborLabelAgreement(embedded: EmbeddingInput, labels: ArrayLike<number>, nNeighbors = 5): number {
  const y = toDenseMatrix(embedded, 'neighborLabelAgreement');
  if (labels.length !== y.n) throw new Error(`neighborLabelAgreement: ${labels.length} labels for ${y.n} points`);
  if (!Number.isInteger(nNeighbors) || nNeighbors < 1 || nNeighbors >= y.n)
    throw new Error(`neighborLabelAgreement: nNeighbors must be an integer in [1, ${y.n}), got ${nNeighbors}`);
  const dy = squaredDistances(y);
  let same = 0;
  for (let i = 0; i < y.n; i++)
    for (const j of neighborOrder(dy, y.n, i).slice(0, nNeighbors)) if (labels[j] === labels[i]) same++;
  return same / (y.n * nNeighbors);
}
