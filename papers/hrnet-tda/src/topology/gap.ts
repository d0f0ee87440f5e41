// The topological train/val gap of one layer: H0/H1 Vietoris-Rips diagrams of a train and a validation point cloud,
// and the bottleneck and 1-Wasserstein distances between them.
import {
  type PersistenceDiagram,
  type PointMatrix,
  activationDiagrams,
  bottleneckDistance,
  wassersteinDistance,
} from '@research/common';

export interface LayerGap {
  train: PersistenceDiagram[];
  val: PersistenceDiagram[];
  /** The common scale both clouds were divided by (the train cloud's mean pairwise distance). */
  scale: number;
  /** Coordinates per point. */
  dim: number;
  distances: GapDistances;
}

export interface GapDistances {
  bottleneck_h0: number;
  bottleneck_h1: number;
  wasserstein_h0: number;
  wasserstein_h1: number;
}

export const GAP_DISTANCE_KEYS = ['bottleneck_h0', 'bottleneck_h1', 'wasserstein_h0', 'wasserstein_h1'] as const;

/** Mean Euclidean distance over all pairs of rows. */
export function meanPairwiseDistance(points: PointMatrix): number {
  const { rows: n, cols, data } = points;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) {
        const d = data[i * cols + k] - data[j * cols + k];
        s += d * d;
      }
      sum += Math.sqrt(s);
    }
  }
  return n > 1 ? sum / ((n * (n - 1)) / 2) : 0;
}

function scaled(points: PointMatrix, factor: number): PointMatrix {
  const data = new Float64Array(points.data.length);
  for (let i = 0; i < data.length; i++) data[i] = points.data[i] * factor;
  return { rows: points.rows, cols: points.cols, data };
}

function diagramOf(diagrams: PersistenceDiagram[], dim: number): PersistenceDiagram['pairs'] {
  return diagrams.find((d) => d.dim === dim)?.pairs ?? [];
}

/** Distances between two sets of diagrams (H0 and H1). */
export function gapDistances(train: PersistenceDiagram[], val: PersistenceDiagram[]): GapDistances {
  const [t0, t1, v0, v1] = [diagramOf(train, 0), diagramOf(train, 1), diagramOf(val, 0), diagramOf(val, 1)];
  return {
    bottleneck_h0: bottleneckDistance(t0, v0),
    bottleneck_h1: bottleneckDistance(t1, v1),
    wasserstein_h0: wassersteinDistance(t0, v0),
    wasserstein_h1: wassersteinDistance(t1, v1),
  };
}

/**
 * Both clouds are divided by the train cloud's mean pairwise distance before their diagrams are computed: the
 * activations' overall magnitude grows during training, and without a common scale the gap would mostly measure
 * that growth. One factor for both keeps any train/val difference in spread or position.
 */
export function layerGap(train: PointMatrix, val: PointMatrix): LayerGap {
  const mean = meanPairwiseDistance(train);
  const scale = mean > 0 ? mean : 1;
  const trainDiagrams = activationDiagrams(scaled(train, 1 / scale), { maxDim: 1 });
  const valDiagrams = activationDiagrams(scaled(val, 1 / scale), { maxDim: 1 });
  return {
    train: trainDiagrams,
    val: valDiagrams,
    scale,
    dim: train.cols,
    distances: gapDistances(trainDiagrams, valDiagrams),
  };
}

/**
 * The scalar topological gap of a set of layers: the mean over layers of W1(H0) + W1(H1) between the train and
 * validation diagrams. (Both clouds have the same size, so W1 sums over comparable numbers of points.)
 */
export function topologicalGap(layers: readonly GapDistances[]): number {
  if (layers.length === 0) throw new Error('topologicalGap: no layers');
  return layers.reduce((sum, d) => sum + d.wasserstein_h0 + d.wasserstein_h1, 0) / layers.length;
}
