// Batches for DP-SGD (Opacus' DPDataLoader): Poisson sampling, where every example joins each batch independently
// with probability q, so batch sizes vary and a batch may be empty; or uniform batches of a fixed size drawn
// afresh each step. The RDP accountant's analysis assumes Poisson sampling.
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../../data/batch';
import type { ImageDataset } from '../../data/image-dataset';
import type { IndexedImageDataset } from '../../data/indexed/indexed-dataset';
import { createRng, mixSeeds } from '../../random';
import type { ImageTransform } from '../../data/transforms';

/** A dataset that can build a batch from any list of indices (an empty list gives tensors with first dimension 0). */
export interface IndexedExamples {
  readonly length: number;
  batch(indices: Int32Array, epoch: number, step: number): Batch | Promise<Batch>;
}

/** Indexed examples built synchronously (from memory). */
export interface InMemoryExamples extends IndexedExamples {
  batch(indices: Int32Array, epoch: number, step: number): Batch;
}

/** `{x: float32 [n, H, W, C] in [0, 1] (then transformed), y: int32 [n]}` from an in-memory image dataset. */
export function imageExamples(dataset: ImageDataset, transform?: ImageTransform, seed = 0): InMemoryExamples {
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  return {
    length: dataset.length,
    batch(indices, epoch, step) {
      const pixels = new Float32Array(indices.length * size);
      const labels = new Int32Array(indices.length);
      indices.forEach((index, j) => {
        const image = dataset.image(index);
        for (let p = 0; p < size; p++) pixels[j * size + p] = image[p] / 255;
        labels[j] = dataset.labels[index];
      });
      const x = tf.tidy(() => {
        const raw = tf.tensor4d(pixels, [indices.length, h, w, c]);
        return transform && indices.length > 0 ? transform(raw, createRng(mixSeeds(seed, epoch, step))) : raw;
      });
      return { x, y: tf.tensor1d(labels, 'int32') };
    },
  };
}

/**
 * The images of an image folder's index (IndexedImageDataset: decoded and transformed on demand) by index: the sampled
 * items of each step are decoded, with the training transforms' random draws of (seed, epoch, step x N + index).
 */
export function indexedImageExamples(dataset: IndexedImageDataset): IndexedExamples {
  const [h, w, c] = dataset.imageShape;
  const size = h * w * c;
  return {
    length: dataset.size,
    async batch(indices, epoch, step) {
      const pixels = new Float32Array(indices.length * size);
      const images = await Promise.all(
        Array.from(indices, (index) => dataset.image(index, epoch, step * dataset.size + index)),
      );
      images.forEach((image, j) => pixels.set(image.data, j * size));
      return {
        x: tf.tensor4d(pixels, [indices.length, h, w, c]),
        y: tf.tensor1d(
          Int32Array.from(indices, (index) => dataset.labels[index]),
          'int32',
        ),
      };
    },
  };
}

export interface PrivateBatchSourceOptions {
  /** The expected (Poisson) or exact (uniform) batch size; the sample rate is batchSize / N unless given. */
  batchSize: number;
  sampleRate?: number;
  /** 'poisson' (default, what the accountant assumes) or 'uniform' (fixed-size batches, indices drawn anew each step). */
  sampling?: 'poisson' | 'uniform';
  seed?: number;
}

export class PrivateBatchSource implements BatchSource {
  readonly sampleRate: number;
  readonly sampling: 'poisson' | 'uniform';
  readonly seed: number;
  /** The batch size DP-SGD divides the noisy sum by: N x q (Opacus' expected_batch_size). */
  readonly expectedBatchSize: number;
  /** Steps per epoch: floor(1 / q), as Opacus' UniformWithReplacementSampler. */
  readonly batchesPerEpoch: number;

  constructor(
    readonly examples: IndexedExamples,
    opts: PrivateBatchSourceOptions,
  ) {
    const n = examples.length;
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize > 0 && opts.batchSize <= n)) {
      throw new Error(
        `PrivateBatchSource: batchSize must be an integer in [1, ${n}] (the dataset size), got ${opts.batchSize}`,
      );
    }
    this.sampleRate = opts.sampleRate ?? opts.batchSize / n;
    if (!(this.sampleRate > 0 && this.sampleRate <= 1))
      throw new Error(`PrivateBatchSource: sampleRate must be in (0, 1], got ${this.sampleRate}`);
    this.sampling = opts.sampling ?? 'poisson';
    if (this.sampling !== 'poisson' && this.sampling !== 'uniform') {
      throw new Error(`PrivateBatchSource: sampling must be 'poisson' or 'uniform', got '${String(this.sampling)}'`);
    }
    this.seed = opts.seed ?? 0;
    this.expectedBatchSize = Math.round(n * this.sampleRate); // Opacus truncates; equal whenever q = batchSize / N
    this.batchesPerEpoch = Math.max(1, Math.floor(1 / this.sampleRate + 1e-9)); // 1e-9: 1 / (B / N) may land just below N / B
  }

  get size(): number {
    return this.examples.length;
  }

  /** The examples of step `step` of epoch `epoch`: a function of (seed, epoch, step) only. */
  indices(epoch: number, step: number): Int32Array {
    const n = this.examples.length;
    const rng = createRng(mixSeeds(this.seed, epoch, step));
    if (this.sampling === 'uniform') return rng.permutation(n).slice(0, this.expectedBatchSize).sort();
    const chosen: number[] = [];
    for (let i = 0; i < n; i++) if (rng.next() < this.sampleRate) chosen.push(i);
    return Int32Array.from(chosen);
  }

  async *batches(epoch: number): AsyncGenerator<Batch> {
    for (let step = 0; step < this.batchesPerEpoch; step++)
      yield await this.examples.batch(this.indices(epoch, step), epoch, step);
  }
}
