// Mini-batches from an in-memory image dataset: seeded shuffling per epoch, drop-last, augmentation, prefetching.
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from './batch';
import type { ImageDataset } from './image-dataset';
import { createRng, mixSeeds } from '../random/rng';
import type { ImageTransform } from './transforms';

export interface DataLoaderOptions {
  batchSize: number;
  /** Shuffle each epoch (order = f(seed, epoch)); default true. */
  shuffle?: boolean;
  seed?: number;
  /** Drop the last, smaller batch; default false. */
  dropLast?: boolean;
  /**
   * Examples per epoch (default: all): each epoch takes the first `samplesPerEpoch` of its own seeded permutation
   * (without replacement within an epoch, like PyTorch's RandomSampler(num_samples=...)), so shorter epochs still
   * draw from the whole dataset. Without shuffling, the first `samplesPerEpoch` examples.
   */
  samplesPerEpoch?: number;
  /** Applied to each batch `x` (float32 in [0, 1]) with an rng seeded by (seed, epoch, batch index). */
  transform?: ImageTransform;
  /** Batches prepared ahead of the one being consumed; default 2 (0: prepare on demand). */
  prefetch?: number;
}

/** Number of examples an epoch visits. */
export function examplesPerEpoch(datasetSize: number, opts: Pick<DataLoaderOptions, 'samplesPerEpoch'>): number {
  const wanted = opts.samplesPerEpoch;
  if (wanted === undefined) return datasetSize;
  if (!Number.isInteger(wanted) || wanted <= 0)
    throw new Error(`samplesPerEpoch must be a positive integer, got ${wanted}`);
  return Math.min(wanted, datasetSize);
}

/** The example order of epoch `epoch`: a permutation seeded by (seed, epoch), cut to `samplesPerEpoch`. */
export function epochOrder(
  datasetSize: number,
  opts: Pick<DataLoaderOptions, 'shuffle' | 'seed' | 'samplesPerEpoch'>,
  epoch: number,
): Int32Array {
  const count = examplesPerEpoch(datasetSize, opts);
  if (opts.shuffle === false) return Int32Array.from({ length: count }, (_, i) => i);
  return createRng(mixSeeds(opts.seed ?? 0, epoch))
    .permutation(datasetSize)
    .subarray(0, count);
}

/** Batches in an epoch of `count` examples. */
export function batchesPerEpoch(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/**
 * Yields `{x: float32 [B, H, W, C] in [0, 1] (then transformed), y: int32 [B]}`. Batches are prepared ahead on the
 * event loop (setImmediate): batch k+1 is decoded and augmented whenever the consumer of batch k yields to the event
 * loop (for example while it awaits `loss.data()`), so a training step does not wait for it. The receiver disposes
 * the tensors; batches prepared but not consumed (a loop left early) are disposed by the loader.
 */
export class DataLoader implements BatchSource {
  readonly batchSize: number;
  readonly seed: number;
  private readonly shuffle: boolean;
  private readonly dropLast: boolean;
  private readonly samplesPerEpoch?: number;
  private readonly prefetch: number;
  private readonly transform?: ImageTransform;

  constructor(
    readonly dataset: ImageDataset,
    opts: DataLoaderOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0)
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.batchSize = opts.batchSize;
    this.seed = opts.seed ?? 0;
    this.shuffle = opts.shuffle ?? true;
    this.dropLast = opts.dropLast ?? false;
    this.samplesPerEpoch = opts.samplesPerEpoch;
    examplesPerEpoch(dataset.length, opts); // validates samplesPerEpoch
    this.prefetch = Math.max(0, opts.prefetch ?? 2);
    this.transform = opts.transform;
  }

  get size(): number {
    return this.dataset.length;
  }

  get batchesPerEpoch(): number {
    return batchesPerEpoch(
      examplesPerEpoch(this.dataset.length, { samplesPerEpoch: this.samplesPerEpoch }),
      this.batchSize,
      this.dropLast,
    );
  }

  /** The order in which epoch `epoch` visits the examples. */
  order(epoch: number): Int32Array {
    return epochOrder(
      this.dataset.length,
      { shuffle: this.shuffle, seed: this.seed, samplesPerEpoch: this.samplesPerEpoch },
      epoch,
    );
  }

  /** Builds batch `k` of an epoch synchronously. */
  makeBatch(order: Int32Array, epoch: number, k: number): Batch {
    const indices = order.subarray(k * this.batchSize, Math.min((k + 1) * this.batchSize, order.length));
    const [h, w, c] = this.dataset.imageShape;
    const size = h * w * c;
    const pixels = new Float32Array(indices.length * size);
    const labels = new Int32Array(indices.length);
    for (let j = 0; j < indices.length; j++) {
      const image = this.dataset.image(indices[j]);
      const offset = j * size;
      for (let p = 0; p < size; p++) pixels[offset + p] = image[p] / 255;
      labels[j] = this.dataset.labels[indices[j]];
    }
    const x = tf.tidy(() => {
      const raw = tf.tensor4d(pixels, [indices.length, h, w, c]);
      return this.transform ? this.transform(raw, createRng(mixSeeds(this.seed, epoch, k))) : raw;
    });
    // keep(): a batch prepared while the consumer has a scope open must not be disposed when that scope ends.
    return { x: tf.keep(x), y: tf.keep(tf.tensor1d(labels, 'int32')) };
  }

  private prepareSoon(order: Int32Array, epoch: number, k: number): Promise<Batch> {
    const promise = new Promise<Batch>((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(this.makeBatch(order, epoch, k));
        } catch (err) {
          reject(err);
        }
      });
    });
    promise.catch(() => undefined); // reported when awaited; avoids an unhandled rejection while it waits in the queue
    return promise;
  }

  async *batches(epoch: number): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const total = this.batchesPerEpoch;
    const queue: Promise<Batch>[] = [];
    let scheduled = 0;
    const fill = () => {
      while (scheduled < total && queue.length < this.prefetch) queue.push(this.prepareSoon(order, epoch, scheduled++));
    };
    try {
      while (queue.length > 0 || scheduled < total) {
        if (queue.length === 0) queue.push(this.prepareSoon(order, epoch, scheduled++));
        const batch = await (queue.shift() as Promise<Batch>);
        fill(); // start preparing up to `prefetch` batches ahead before handing this one over
        yield batch;
      }
    } finally {
      for (const pending of queue)
        pending.then(
          (b) => tf.dispose(b),
          () => undefined,
        );
    }
  }
}
