// Point clouds and their dense distance matrices (Float64, row-major n x n).

/** A dense row-major matrix of points: `rows` points with `cols` coordinates each. */
export interface PointMatrix {
  rows: number;
  cols: number;
  data: Float64Array | Float32Array;
}

/** A dense symmetric n x n dissimilarity matrix with a zero diagonal (row-major). */
export interface DistanceMatrix {
  size: number;
  distances: Float64Array;
}

export type PointsLike = readonly (readonly number[])[] | PointMatrix;

export type PointMetric = 'euclidean' | 'cosine';

function isPointMatrix(points: PointsLike): points is PointMatrix {
  return !Array.isArray(points);
}

/** Copies nested arrays (or a PointMatrix) into a Float64 PointMatrix, checking the shape and the values. */
export function toPointMatrix(points: PointsLike): PointMatrix {
  if (isPointMatrix(points)) {
    if (points.data.length !== points.rows * points.cols)
      throw new Error(
        `point matrix: data has ${points.data.length} values, expected rows*cols = ${points.rows * points.cols}`,
      );
    return points;
  }
  const rows = points.length;
  const cols = rows === 0 ? 0 : points[0].length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = points[i];
    if (!row || row.length !== cols)
      throw new Error(`points: row ${i} has ${row ? row.length : 0} coordinates, expected ${cols}`);
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`points: row ${i} column ${j} is not a finite number: ${String(v)}`);
      data[i * cols + j] = v;
    }
  }
  return { rows, cols, data };
}

/**
 * Pairwise distances. Euclidean sums squared differences in coordinate order (never the |x|^2+|y|^2-2x.y shortcut,
 * which loses the geometry at large offsets). Cosine is 1 - x.y/(|x||y|), clamped at 0; a zero vector is at
 * distance 1 from every other point, as in scikit-learn.
 */
export function pairwiseDistances(points: PointsLike, metric: PointMetric = 'euclidean'): DistanceMatrix {
  const { rows: n, cols, data } = toPointMatrix(points);
  const distances = new Float64Array(n * n);
  if (metric === 'euclidean') {
    for (let i = 0; i < n; i++) {
      const oi = i * cols;
      for (let j = 0; j < i; j++) {
        const oj = j * cols;
        let sum = 0;
        for (let k = 0; k < cols; k++) {
          const diff = data[oi + k] - data[oj + k];
          sum += diff * diff;
        }
        const d = Math.sqrt(sum);
        distances[i * n + j] = d;
        distances[j * n + i] = d;
      }
    }
  } else if (metric === 'cosine') {
    const norms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += data[i * cols + k] * data[i * cols + k];
      norms[i] = Math.sqrt(s);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < cols; k++) dot += data[i * cols + k] * data[j * cols + k];
        const denom = norms[i] * norms[j];
        const d = denom === 0 ? 1 : Math.max(0, 1 - dot / denom);
        distances[i * n + j] = d;
        distances[j * n + i] = d;
      }
    }
  } else {
    throw new Error(`unknown metric '${String(metric)}': expected 'euclidean' or 'cosine'`);
  }
  return { size: n, distances };
}

/** Wraps a square array of arrays as a DistanceMatrix after checking symmetry, a zero diagonal and finite values. */
export function toDistanceMatrix(matrix: readonly (readonly number[])[]): DistanceMatrix {
  const n = matrix.length;
  const distances = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (matrix[i].length !== n)
      throw new Error(`distance matrix: row ${i} has ${matrix[i].length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      const v = matrix[i][j];
      if (typeof v !== 'number' || !(v >= 0) || v === Infinity)
        throw new Error(`distance matrix: entry (${i}, ${j}) must be finite and >= 0, got ${String(v)}`);
      distances[i * n + j] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    if (distances[i * n + i] !== 0) throw new Error(`distance matrix: diagonal entry (${i}, ${i}) must be 0`);
    for (let j = 0; j < i; j++)
      if (distances[i * n + j] !== distances[j * n + i])
        throw new Error(`distance matrix: entries (${i}, ${j}) and (${j}, ${i}) differ`);
  }
  return { size: n, distances };
}

/** min_i max_j d(i, j): beyond this radius the Rips complex is a cone and its diagram no longer changes. */
export function enclosingRadius({ size: n, distances }: DistanceMatrix): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    let worst = 0;
    for (let j = 0; j < n; j++) if (distances[i * n + j] > worst) worst = distances[i * n + j];
    if (worst < best) best = worst;
  }
  return best;
}
