// Principal components for t-SNE's 'pca' initialisation.
import type { DenseMatrix } from './matrix';

/** Top-k eigenvectors of a symmetric positive semi-definite m×m matrix, by simultaneous power iteration. */
function topEigenvectors(matrix: Float64Array, m: number, k: number): Float64Array[] {
  // Deterministic start: vector c has a 1 in coordinate c and small distinct values elsewhere.
  let basis = Array.from({ length: k }, (_, c) =>
    Float64Array.from({ length: m }, (_, j) => (j === c ? 1 : 0.01 * Math.sin(j + 7 * c + 1))),
  );
  for (let iter = 0; iter < 500; iter++) {
    const next = basis.map((v) => {
      const out = new Float64Array(m);
      for (let r = 0; r < m; r++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += matrix[r * m + j] * v[j];
        out[r] = s;
      }
      return out;
    });
    // Gram-Schmidt keeps the vectors orthonormal and ordered by eigenvalue.
    for (let c = 0; c < k; c++) {
      for (let b = 0; b < c; b++) {
        let dot = 0;
        for (let j = 0; j < m; j++) dot += next[c][j] * next[b][j];
        for (let j = 0; j < m; j++) next[c][j] -= dot * next[b][j];
      }
      let norm = 0;
      for (let j = 0; j < m; j++) norm += next[c][j] * next[c][j];
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < m; j++) next[c][j] /= norm;
    }
    let change = 0;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let j = 0; j < m; j++) dot += next[c][j] * basis[c][j];
      change = Math.max(change, 1 - Math.abs(dot));
    }
    basis = next;
    if (change < 1e-13) break;
  }
  return basis;
}

/**
 * Scores of the rows on the top `k` principal components (n×k, row-major). Uses the d×d covariance or, when there
 * are fewer rows than columns, the n×n Gram matrix. Each component's sign makes its largest-magnitude score
 * positive (sklearn's svd_flip on U).
 */
export function principalComponentScores(x: DenseMatrix, k: number): Float64Array {
  const { data, n, d } = x;
  const centered = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j];
    mean /= n;
    for (let i = 0; i < n; i++) centered[i * d + j] = data[i * d + j] - mean;
  }
  const comps = Math.min(k, d, n);
  const scores = new Float64Array(n * k);
  if (d <= n) {
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) {
        const xa = centered[i * d + a];
        for (let b = a; b < d; b++) cov[a * d + b] += xa * centered[i * d + b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];
    const vectors = topEigenvectors(cov, d, comps);
    for (let c = 0; c < comps; c++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += centered[i * d + j] * vectors[c][j];
        scores[i * k + c] = s;
      }
    }
  } else {
    const gram = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let r = i; r < n; r++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += centered[i * d + j] * centered[r * d + j];
        gram[i * n + r] = gram[r * n + i] = s;
      }
    }
    const vectors = topEigenvectors(gram, n, comps);
    for (let c = 0; c < comps; c++) {
      // Gram u = s² u, and the scores are u·s.
      let eigenvalue = 0;
      for (let i = 0; i < n; i++)
        for (let r = 0; r < n; r++) eigenvalue += vectors[c][i] * gram[i * n + r] * vectors[c][r];
      const s = Math.sqrt(Math.max(0, eigenvalue));
      for (let i = 0; i < n; i++) scores[i * k + c] = vectors[c][i] * s;
    }
  }
  for (let c = 0; c < comps; c++) {
    let largest = 0;
    for (let i = 0; i < n; i++) if (Math.abs(scores[i * k + c]) > Math.abs(largest)) largest = scores[i * k + c];
    if (largest < 0) for (let i = 0; i < n; i++) scores[i * k + c] = -scores[i * k + c];
  }
  return scores;
}
