// The distance-preservation loss of Moor, Horn, Rieck & Borgwardt, "Topological Autoencoders" (ICML 2020), on the
// 0-dimensional persistence pairs of a batch. For a Vietoris-Rips filtration the H0 pairs are the edges of a
// minimum spanning tree (each finite H0 death is the length of the MST edge that merges two components), so the
// pairs are found outside the graph from the distance values, and the loss is a differentiable function of the
// latent distances at those edges.
import * as tf from '@tensorflow/tfjs';

/** An edge (i, j) of a point set. */
export type Edge = [number, number];

/** Dense Euclidean distances of the rows of a row-major [n, d] matrix. */
export function euclideanDistances(data: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) {
        const diff = data[i * d + k] - data[j * d + k];
        sum += diff * diff;
      }
      out[i * n + j] = out[j * n + i] = Math.sqrt(sum);
    }
  }
  return out;
}

/**
 * Minimum spanning tree of a dense n x n distance matrix (Prim, O(n^2)): the n - 1 persistence pairs of H0.
 * Ties go to the lower index, so the tree is deterministic.
 */
export function minimumSpanningTree(distances: ArrayLike<number>, n: number): Edge[] {
  if (distances.length !== n * n)
    throw new Error(`minimumSpanningTree: expected ${n}x${n} distances, got ${distances.length} values`);
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  const parent = new Int32Array(n).fill(-1);
  const edges: Edge[] = [];
  if (n === 0) return edges;
  best[0] = 0;
  for (let step = 0; step < n; step++) {
    let u = -1;
    for (let v = 0; v < n; v++) if (!inTree[v] && (u < 0 || best[v] < best[u])) u = v;
    inTree[u] = 1;
    if (parent[u] >= 0) edges.push([parent[u], u]);
    for (let v = 0; v < n; v++) {
      const w = distances[u * n + v];
      if (!inTree[v] && w < best[v]) {
        best[v] = w;
        parent[v] = u;
      }
    }
  }
  return edges;
}

export interface MoorLossOptions {
  /** The latent distances are divided by this (Moor et al. learn it as a parameter initialised to 1). Default 1. */
  latentScale?: tf.Scalar | number;
  /** Added under the square root of latent distances so that the gradient stays finite for coincident points. */
  eps?: number;
}

/** Distances |z_i - z_j| at the given edges, differentiable in z. */
function edgeDistances(z: tf.Tensor2D, edges: Edge[], eps: number): tf.Tensor1D {
  const i = tf.tensor1d(
    edges.map((e) => e[0]),
    'int32',
  );
  const j = tf.tensor1d(
    edges.map((e) => e[1]),
    'int32',
  );
  return tf.gather(z, i).sub(tf.gather(z, j)).square().sum(1).add(eps).sqrt() as tf.Tensor1D;
}

/**
 * L = (1/2 |A_X[pi_X] - A_Z[pi_X]|^2 + 1/2 |A_Z[pi_Z] - A_X[pi_Z]|^2) / n, where A_X are the input distances divided
 * by their largest value in the batch (a constant), A_Z the latent distances divided by `latentScale`, and pi_X,
 * pi_Z the MST edges of each space. Division by the batch size n follows the authors' code. Returns a scalar
 * differentiable in `z` (and in `latentScale` when it is a tensor); `x` is treated as data.
 */
export function moorTopologicalLoss(x: tf.Tensor, z: tf.Tensor2D, options: MoorLossOptions = {}): tf.Scalar {
  const n = x.shape[0];
  if (z.shape[0] !== n) throw new Error(`moorTopologicalLoss: x has ${n} rows but z has ${z.shape[0]}`);
  if (n < 2) throw new Error(`moorTopologicalLoss: needs at least 2 examples, got ${n}`);
  const eps = options.eps ?? 1e-12;
  const dx = x.size / n;
  const xDist = euclideanDistances(x.dataSync(), n, dx);
  let maxX = 0;
  for (const v of xDist) if (v > maxX) maxX = v;
  const scaleX = maxX > 0 ? maxX : 1;
  const zDist = euclideanDistances(z.dataSync(), n, z.shape[1]);
  const piX = minimumSpanningTree(xDist, n);
  const piZ = minimumSpanningTree(zDist, n);
  return tf.tidy(() => {
    const scale = options.latentScale ?? 1;
    const term = (edges: Edge[]) => {
      const target = tf.tensor1d(edges.map(([i, j]) => xDist[i * n + j] / scaleX));
      return edgeDistances(z, edges, eps).div(scale).sub(target).square().sum().mul(0.5);
    };
    return term(piX).add(term(piZ)).div(n) as tf.Scalar;
  });
}
