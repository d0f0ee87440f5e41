import type * as tf from '@tensorflow/tfjs';

/**
 * One mini-batch: named tensors, e.g. `{x, y}` for classification or `{anchor, positive, negative, y}` for triplets.
 * Whoever receives a batch owns its tensors and disposes them.
 */
export type Batch = Record<string, tf.Tensor>;

/**
 * A source of mini-batches for one epoch at a time. The order of epoch `e` depends only on the loader's seed and `e`,
 * so a run resumed at epoch `e` sees exactly the batches an uninterrupted run would have seen.
 */
export interface BatchSource {
  /** Number of batches `batches(epoch)` yields. */
  readonly batchesPerEpoch: number;
  /** Number of examples behind the source. */
  readonly size: number;
  batches(epoch: number): AsyncIterable<Batch>;
  /**
   * Optional: a data-parallel rank's rows [floor(r B / n), floor((r + 1) B / n)) of every batch B, built without the
   * other rows (trainer_type accelerate's workers use it to build only their shard).
   */
  shard?(rank: number, worldSize: number): BatchSource;
}
