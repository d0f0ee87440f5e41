// Activations of HRNet's monitored layers (every stage's branches and the pooled features) as point clouds, one
// point per example.
import * as tf from '@tensorflow/tfjs';
import { createRng, type PointMatrix, POOLED_LAYER, featureModel } from '@research/common';

/** A layer that the topology monitor watches: `key` names it in metrics (`stage3.b1`, `pooled`), `layer` in the model. */
export interface MonitoredLayer {
  key: string;
  layer: string;
}

/** Each stage's branch outputs (`stage<s>.b<i>`, highest resolution first) and the pooled 2048-d features. */
export function monitoredLayers(stageOutputs: string[][]): MonitoredLayer[] {
  const branches = stageOutputs.flatMap((names, s) => names.map((layer, b) => ({ key: `stage${s + 1}.b${b}`, layer })));
  return [...branches, { key: 'pooled', layer: POOLED_LAYER }];
}

/**
 * How a branch map [H, W, C] becomes one point:
 * - 'gap': the per-channel spatial mean (C coordinates). The default: translation-invariant, comparable across
 *   resolutions, and low-dimensional enough (18..1024) that Euclidean distances between 64 points stay informative.
 * - 'flatten': `dims` coordinates of the flattened map chosen once with a seeded draw (the same for train and val,
 *   so both clouds live in one space); keeps spatial layout at the price of very high, sparse dimensions.
 * Rank-2 outputs (the pooled features) are used as they are.
 */
export type Reduction = { kind: 'gap' } | { kind: 'flatten'; dims: number; seed: number };

function reduce(t: tf.Tensor, reduction: Reduction): tf.Tensor2D {
  if (t.rank === 2) return t.clone() as tf.Tensor2D;
  if (t.rank !== 4) throw new Error(`layer output must be [N, H, W, C] or [N, D], got [${t.shape.join(', ')}]`);
  if (reduction.kind === 'gap') return t.mean([1, 2]) as tf.Tensor2D;
  const n = t.shape[0];
  const flat = t.reshape([n, -1]);
  const total = flat.shape[1] as number;
  if (reduction.dims >= total) return flat as tf.Tensor2D;
  const keep = Array.from(createRng(reduction.seed).permutation(total).slice(0, reduction.dims)).sort((a, b) => a - b);
  return tf.gather(flat, keep, 1) as tf.Tensor2D;
}

/**
 * Runs `model` in inference mode on `x` and returns each layer's reduced activations as a Float32 point matrix
 * (rows = examples). All tensors are disposed.
 */
export function layerActivations(
  model: tf.LayersModel,
  layers: MonitoredLayer[],
  x: tf.Tensor,
  reduction: Reduction,
): Map<string, PointMatrix> {
  const probe = featureModel(
    model,
    layers.map((l) => l.layer),
  );
  const out = new Map<string, PointMatrix>();
  tf.tidy(() => {
    const outputs = probe.predict(x) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(outputs) ? outputs : [outputs];
    list.forEach((t, i) => {
      const points = reduce(t, reduction);
      out.set(layers[i].key, { rows: points.shape[0], cols: points.shape[1], data: points.dataSync() as Float32Array });
    });
  });
  return out;
}
