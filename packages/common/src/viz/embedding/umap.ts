// UMAP through umap-js, made reproducible by a seeded generator.
import { UMAP } from 'umap-js';
import { toDenseMatrix, type EmbeddingInput } from './matrix';
import { mulberry32 } from '../../random/rng';
import type { EmbeddingResult } from './tsne';

export interface UmapOptions {
  /** Output dimensions (default 2). */
  dims?: number;
  /** Neighbourhood size (default 15; must be below the number of points). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0.1). */
  minDist?: number;
  spread?: number;
  /** Optimisation epochs (default: umap-js's choice, 500 for small and 200 for large inputs). */
  epochs?: number;
  seed?: number;
  /** Called after each epoch. */
  onProgress?: (epoch: number, epochs: number) => void;
}

export function umap(input: EmbeddingInput, options: UmapOptions = {}): EmbeddingResult {
  const x = toDenseMatrix(input, 'umap');
  const { dims = 2, nNeighbors = 15, minDist = 0.1, spread = 1, epochs, seed = 0, onProgress } = options;
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2 || nNeighbors >= x.n)
    throw new Error(`umap: nNeighbors must be an integer in [2, n) = [2, ${x.n}), got ${nNeighbors}`);
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`umap: dims must be a positive integer, got ${dims}`);
  const rows = Array.from({ length: x.n }, (_, i) => Array.from(x.data.subarray(i * x.d, (i + 1) * x.d)));
  const model = new UMAP({ nComponents: dims, nNeighbors, minDist, spread, nEpochs: epochs, random: mulberry32(seed) });
  const total = model.initializeFit(rows);
  for (let epoch = 0; epoch < total; epoch++) {
    model.step();
    onProgress?.(epoch + 1, total);
  }
  const embedding = Float64Array.from(model.getEmbedding().flat());
  return { embedding, n: x.n, dims };
}
