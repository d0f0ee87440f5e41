// Persistence diagrams of a layer's activations: a seeded subsample of rows (one row per input example),
// optionally standardised per feature, compared with the Euclidean or cosine distance.
import type { Tensor } from '@tensorflow/tfjs';
import { pairwiseDistances, toPointMatrix, type PointMatrix, type PointMetric, type PointsLike } from './distances';
import { ripsPersistence } from './rips';
import { sampleDistinctIndices } from './rng';
import type { PersistenceDiagram } from './types';

export interface ActivationDiagramOptions {
  /** Number of rows drawn without replacement (default: all rows; more than available means all rows). */
  samples?: number;
  /** Seed of the row sampler (default 0). */
  seed?: number;
  /** Scale every feature to zero mean and unit variance over the sampled rows (constant features are centred only). */
  standardize?: boolean;
  metric?: PointMetric;
  /** Highest homology dimension, 0 or 1 (default 1). */
  maxDim?: number;
}

function isTensor(x: unknown): x is Tensor {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Tensor).dataSync === 'function' &&
    Array.isArray((x as Tensor).shape)
  );
}

/** A tensor of rank >= 2 as rows = first axis, features = the other axes flattened (the tensor is not disposed). */
function tensorRows(t: Tensor): PointMatrix {
  if (t.rank < 2)
    throw new Error(
      `activationDiagrams: expected a tensor of rank >= 2 (examples x features), got shape [${t.shape.join(', ')}]`,
    );
  const rows = t.shape[0];
  if (t.dtype === 'string' || t.dtype === 'complex64')
    throw new Error(`activationDiagrams: expected a numeric tensor, got dtype ${t.dtype}`);
  const values = t.dataSync();
  const data = values instanceof Float32Array ? values : Float64Array.from(values as ArrayLike<number>);
  return { rows, cols: rows === 0 ? 0 : data.length / rows, data };
}

/**
 * Subsamples rows of `activations` (seeded), optionally standardises the features, and returns the Vietoris-Rips
 * diagrams (dimensions 0..maxDim) of the sampled rows under the chosen metric.
 */
export function activationDiagrams(
  activations: PointsLike | Tensor,
  options: ActivationDiagramOptions = {},
): PersistenceDiagram[] {
  const all = isTensor(activations) ? tensorRows(activations) : toPointMatrix(activations);
  const count = Math.min(options.samples ?? all.rows, all.rows);
  const rows = sampleDistinctIndices(all.rows, count, options.seed ?? 0);
  const { cols } = all;
  const data = new Float64Array(count * cols);
  rows.forEach((r, i) => data.set(all.data.subarray(r * cols, (r + 1) * cols), i * cols));
  if (options.standardize) standardizeColumns(data, count, cols);
  const points: PointMatrix = { rows: count, cols, data };
  return ripsPersistence(pairwiseDistances(points, options.metric ?? 'euclidean'), { maxDim: options.maxDim ?? 1 });
}

/** In place: (x - mean) / std per column with the population std, as scikit-learn's StandardScaler. */
function standardizeColumns(data: Float64Array, rows: number, cols: number): void {
  for (let c = 0; c < cols; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += data[r * cols + c];
    mean /= rows;
    let variance = 0;
    for (let r = 0; r < rows; r++) variance += (data[r * cols + c] - mean) ** 2;
    const std = Math.sqrt(variance / rows);
    const scale = std > 0 ? 1 / std : 1;
    for (let r = 0; r < rows; r++) data[r * cols + c] = (data[r * cols + c] - mean) * scale;
  }
}
