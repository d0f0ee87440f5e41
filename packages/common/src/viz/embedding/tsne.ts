// Exact t-SNE (van der Maaten & Hinton 2008) following scikit-learn's method='exact': perplexity-calibrated joint
// probabilities, Student-t similarities, early exaggeration, momentum and per-coordinate gains. O(n²) per
// iteration on typed arrays; meant for up to a few thousand points.
import { toDenseMatrix, squaredDistances, type EmbeddingInput } from './matrix';
import { principalComponentScores } from './pca';
import { MACHINE_EPSILON, jointProbabilities } from './perplexity';
import { mulberry32 } from '../../random/rng';
import { normalSampler } from './random';

export interface TsneProgress {
  /** 1-based iteration just computed. */
  iteration: number;
  iterations: number;
  /** KL(P||Q) at this iteration (with exaggerated P during the first 250). */
  klDivergence: number;
  gradNorm: number;
  exaggerated: boolean;
}

export interface TsneOptions {
  /** Output dimensions (default 2). */
  dims?: number;
  /** Effective number of neighbours (default 30; must be below the number of points). */
  perplexity?: number;
  /** Factor on P during the first 250 iterations (default 12). */
  earlyExaggeration?: number;
  /** Step size; 'auto' (default) = max(n / earlyExaggeration / 4, 50), as sklearn. */
  learningRate?: number | 'auto';
  /** Total iterations, at least 250 (default 1000). */
  iterations?: number;
  /** 'pca' (default, sklearn ≥ 1.2) or 'random' (N(0, 1e-4²), seeded). */
  init?: 'pca' | 'random';
  seed?: number;
  /** Stop when the gradient norm falls below this (default 1e-7). */
  minGradNorm?: number;
  /** Stop when the KL has not improved for this many iterations after exaggeration (default 300). */
  iterationsWithoutProgress?: number;
  /** Called every 50 iterations and at the end. */
  onProgress?: (progress: TsneProgress) => void;
}

export interface EmbeddingResult {
  /** Row-major n×dims coordinates. */
  embedding: Float64Array;
  n: number;
  dims: number;
}

export interface TsneResult extends EmbeddingResult {
  klDivergence: number;
  /** Iterations run (fewer than asked when a stopping rule fired). */
  iterations: number;
}

const EXPLORATION_ITERATIONS = 250;
const CHECK_EVERY = 50;
const MIN_GAIN = 0.01;

/**
 * KL(P||Q) and its gradient for the embedding y (n×dims), P condensed (i < j, summing to 1/2 when not exaggerated)
 * like sklearn's _kl_divergence with one degree of freedom. The gradient goes into `grad`; the KL is computed
 * only when asked (it needs a second pass).
 */
export function klDivergenceGradient(
  p: Float64Array,
  y: Float64Array,
  n: number,
  dims: number,
  grad: Float64Array,
  computeError: boolean,
): number {
  // grad_i = 4 Σ_j (p_ij − q_ij) w_ij (y_i − y_j) with w = 1/(1+|y_i−y_j|²) and q = w/Z: accumulate Σ p w Δ
  // (attract) and Σ w² Δ (repulse) separately, so one pass suffices although Z is only known at its end.
  let z: number;
  if (dims === 2) {
    const sums = new Float64Array(4 * n);
    z = 2 * accumulate2d(p, y, n, sums); // Σ over i ≠ j
    for (let i = 0; i < n; i++) {
      grad[2 * i] = 4 * (sums[4 * i] - sums[4 * i + 2] / z);
      grad[2 * i + 1] = 4 * (sums[4 * i + 1] - sums[4 * i + 3] / z);
    }
  } else {
    const attract = new Float64Array(n * dims);
    const repulse = new Float64Array(n * dims);
    z = 2 * accumulate(p, y, n, dims, attract, repulse);
    for (let m = 0; m < n * dims; m++) grad[m] = 4 * (attract[m] - repulse[m] / z);
  }
  if (!computeError) return NaN;
  let kl = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      let dist = 0;
      for (let c = 0; c < dims; c++) {
        const diff = y[i * dims + c] - y[j * dims + c];
        dist += diff * diff;
      }
      const q = Math.max(1 / (1 + dist) / z, MACHINE_EPSILON);
      kl += p[k] * Math.log(Math.max(p[k], MACHINE_EPSILON) / q);
    }
  }
  return 2 * kl;
}

/** The pair loop for any dimension; returns Σ_{i<j} w_ij. */
function accumulate(
  p: Float64Array,
  y: Float64Array,
  n: number,
  dims: number,
  attract: Float64Array,
  repulse: Float64Array,
): number {
  let sumW = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const yi = i * dims;
    for (let j = i + 1; j < n; j++, k++) {
      const yj = j * dims;
      let dist = 0;
      for (let c = 0; c < dims; c++) {
        const diff = y[yi + c] - y[yj + c];
        dist += diff * diff;
      }
      const w = 1 / (1 + dist);
      sumW += w;
      const a = p[k] * w;
      const r = w * w;
      for (let c = 0; c < dims; c++) {
        const diff = y[yi + c] - y[yj + c];
        attract[yi + c] += a * diff;
        attract[yj + c] -= a * diff;
        repulse[yi + c] += r * diff;
        repulse[yj + c] -= r * diff;
      }
    }
  }
  return sumW;
}

/**
 * The same loop unrolled for 2-D embeddings (the common case): row i's sums stay in locals, and each point's
 * attract x, y and repulse x, y sit next to each other in `sums` (one cache line).
 */
function accumulate2d(p: Float64Array, y: Float64Array, n: number, sums: Float64Array): number {
  let sumW = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i];
    const yi = y[2 * i + 1];
    let ax = 0;
    let ay = 0;
    let rx = 0;
    let ry = 0;
    for (let j = i + 1; j < n; j++, k++) {
      const dx = xi - y[2 * j];
      const dy = yi - y[2 * j + 1];
      const w = 1 / (1 + dx * dx + dy * dy);
      sumW += w;
      const a = p[k] * w;
      const r = w * w;
      ax += a * dx;
      ay += a * dy;
      rx += r * dx;
      ry += r * dy;
      const b = 4 * j;
      sums[b] -= a * dx;
      sums[b + 1] -= a * dy;
      sums[b + 2] -= r * dx;
      sums[b + 3] -= r * dy;
    }
    sums[4 * i] += ax;
    sums[4 * i + 1] += ay;
    sums[4 * i + 2] += rx;
    sums[4 * i + 3] += ry;
  }
  return sumW;
}

function initialEmbedding(
  x: ReturnType<typeof toDenseMatrix>,
  dims: number,
  init: 'pca' | 'random',
  seed: number,
): Float64Array {
  const { n } = x;
  if (init === 'random') {
    const normal = normalSampler(mulberry32(seed));
    return Float64Array.from({ length: n * dims }, () => 1e-4 * normal());
  }
  const scores = principalComponentScores(x, dims);
  // Scaled so the first coordinate has standard deviation 1e-4 (sklearn).
  let mean = 0;
  for (let i = 0; i < n; i++) mean += scores[i * dims];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (scores[i * dims] - mean) ** 2;
  const std = Math.sqrt(variance / n) || 1;
  return scores.map((v) => (v / std) * 1e-4);
}

export function tsne(input: EmbeddingInput, options: TsneOptions = {}): TsneResult {
  const x = toDenseMatrix(input, 'tsne');
  const { n } = x;
  const {
    dims = 2,
    perplexity = 30,
    earlyExaggeration = 12,
    iterations = 1000,
    init = 'pca',
    seed = 0,
    minGradNorm = 1e-7,
    iterationsWithoutProgress = 300,
    onProgress,
  } = options;
  if (n < 2) throw new Error(`tsne: needs at least 2 points, got ${n}`);
  if (!(perplexity > 0) || perplexity >= n)
    throw new Error(`tsne: perplexity must be in (0, n) = (0, ${n}), got ${perplexity}`);
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`tsne: dims must be a positive integer, got ${dims}`);
  if (!Number.isInteger(iterations) || iterations < EXPLORATION_ITERATIONS)
    throw new Error(`tsne: iterations must be an integer >= ${EXPLORATION_ITERATIONS}, got ${iterations}`);
  if (!(earlyExaggeration >= 1)) throw new Error(`tsne: earlyExaggeration must be >= 1, got ${earlyExaggeration}`);
  if (init !== 'pca' && init !== 'random')
    throw new Error(`tsne: init must be 'pca' or 'random', got ${JSON.stringify(init)}`);
  const learningRate =
    options.learningRate === undefined || options.learningRate === 'auto'
      ? Math.max(n / earlyExaggeration / 4, 50)
      : options.learningRate;
  if (!(learningRate > 0)) throw new Error(`tsne: learningRate must be > 0 or 'auto', got ${learningRate}`);

  const p = jointProbabilities(squaredDistances(x), n, perplexity);
  const y = initialEmbedding(x, dims, init, seed);
  const grad = new Float64Array(n * dims);
  const update = new Float64Array(n * dims);
  const gains = new Float64Array(n * dims).fill(1);

  // sklearn's _gradient_descent, run twice: exaggerated P with momentum 0.5, then P with momentum 0.8.
  const descend = (start: number, end: number, momentum: number, patience: number, exaggerated: boolean) => {
    let error = Number.MAX_VALUE;
    let bestError = Number.MAX_VALUE;
    let bestIteration = start;
    let i = start;
    for (; i < end; i++) {
      const check = (i + 1) % CHECK_EVERY === 0;
      const last = i === end - 1;
      const kl = klDivergenceGradient(p, y, n, dims, grad, check || last);
      if (check || last) error = kl;
      for (let m = 0; m < grad.length; m++) {
        gains[m] = update[m] * grad[m] < 0 ? gains[m] + 0.2 : Math.max(gains[m] * 0.8, MIN_GAIN);
        grad[m] *= gains[m];
        update[m] = momentum * update[m] - learningRate * grad[m];
        y[m] += update[m];
      }
      if (check || last) {
        let norm = 0;
        for (let m = 0; m < grad.length; m++) norm += grad[m] * grad[m];
        const gradNorm = Math.sqrt(norm);
        onProgress?.({ iteration: i + 1, iterations, klDivergence: error, gradNorm, exaggerated });
        if (!check) continue;
        if (error < bestError) {
          bestError = error;
          bestIteration = i;
        } else if (i - bestIteration > patience) break;
        if (gradNorm <= minGradNorm) break;
      }
    }
    return { error, last: Math.min(i, end - 1) };
  };

  for (let k = 0; k < p.length; k++) p[k] *= earlyExaggeration;
  const first = descend(0, EXPLORATION_ITERATIONS, 0.5, EXPLORATION_ITERATIONS, true);
  for (let k = 0; k < p.length; k++) p[k] /= earlyExaggeration;
  const second = descend(first.last + 1, iterations, 0.8, iterationsWithoutProgress, false);
  const ran = first.last + 1 < iterations ? second : first;
  return { embedding: y, n, dims, klDivergence: ran.error, iterations: ran.last + 1 };
}
