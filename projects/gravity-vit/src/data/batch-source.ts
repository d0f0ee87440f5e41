// Mini-batches of a Gravity Spy split for common's Trainer: a BatchSource that reads the views of each batch from
// the HDF5 file when the batch is built, resizes them bilinearly to the model input and stacks them.
import * as tf from '@tensorflow/tfjs';
import { type Batch, type BatchSource, createRng, mixSeeds } from '@research/common';
import { DURATIONS, type Duration, type Split, VIEW_HEIGHT, VIEW_WIDTH } from './classes';
import { GravitySpyDataset, MERGED_HEIGHT, MERGED_WIDTH } from './gravity-spy-dataset';
import type { SampleEntry } from './gravity-spy-file';

/** multi_view: x [B, 4, H, W, C]; single_view: x [B, H, W, C] of one duration; merged: x [B, H, W, C] of the 2x2 view. */
export type ViewMode = 'multi_view' | 'single_view' | 'merged';

export interface GravitySpySourceOptions {
  split: Split;
  mode: ViewMode;
  /** single_view: which window. */
  duration?: Duration;
  /** Model input [height, width]; views are resized bilinearly (half-pixel centres, as torch's align_corners=False). */
  inputSize: [number, number];
  /** 1 = grey; 3 = grey replicated (ImageNet-pretrained encoders). */
  channels: 1 | 3;
  batchSize: number;
  shuffle?: boolean;
  seed?: number;
  /** Use only N samples, evenly spread over the split (0 or undefined = all). */
  limit?: number;
  /** (x - mean) / std after resizing; default none. */
  normalize?: { mean: number; std: number };
}

export class GravitySpySource implements BatchSource {
  readonly entries: readonly SampleEntry[];
  private readonly opts: Required<Omit<GravitySpySourceOptions, 'duration' | 'normalize'>> &
    Pick<GravitySpySourceOptions, 'duration' | 'normalize'>;

  constructor(
    readonly dataset: GravitySpyDataset,
    opts: GravitySpySourceOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
      throw new Error(`GravitySpySource: batchSize must be a positive integer, got ${opts.batchSize}`);
    if (opts.mode === 'single_view' && !(opts.duration && DURATIONS.includes(opts.duration))) {
      throw new Error(
        `GravitySpySource: single_view needs duration in ${DURATIONS.join(', ')}, got ${String(opts.duration)}`,
      );
    }
    if (!(opts.channels === 1 || opts.channels === 3))
      throw new Error(`GravitySpySource: channels must be 1 or 3, got ${String(opts.channels)}`);
    const all = dataset.split(opts.split);
    // A limit takes samples evenly spread over the split (sorted by class), so every class keeps its share.
    this.entries =
      opts.limit && opts.limit < all.length
        ? Array.from({ length: opts.limit }, (_, i) => all[Math.floor((i * all.length) / opts.limit!)])
        : all;
    if (this.entries.length === 0) throw new Error(`GravitySpySource: ${dataset.file} has no ${opts.split} samples`);
    this.opts = { shuffle: true, seed: 0, limit: 0, ...opts };
  }

  get size(): number {
    return this.entries.length;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.entries.length / this.opts.batchSize);
  }

  get labels(): Int32Array {
    return Int32Array.from(this.entries, (e) => e.classIndex);
  }

  /** The sample order of an epoch: a permutation seeded by (seed, epoch), or file order without shuffling. */
  order(epoch: number): Int32Array {
    const n = this.entries.length;
    return this.opts.shuffle
      ? createRng(mixSeeds(this.opts.seed, epoch)).permutation(n)
      : Int32Array.from({ length: n }, (_, i) => i);
  }

  /** The model input of some samples (see ViewMode), float32. */
  inputs(entries: readonly SampleEntry[]): tf.Tensor {
    const { mode, inputSize, channels, normalize } = this.opts;
    const views = mode === 'multi_view' ? DURATIONS.length : 1;
    const [h, w] = mode === 'merged' ? [MERGED_HEIGHT, MERGED_WIDTH] : [VIEW_HEIGHT, VIEW_WIDTH];
    const pixels = new Float32Array(entries.length * views * h * w);
    entries.forEach((e, i) => {
      const image =
        mode === 'multi_view'
          ? this.dataset.views(e)
          : mode === 'merged'
            ? this.dataset.merged(e)
            : this.dataset.view(e, this.opts.duration as Duration);
      pixels.set(image, i * views * h * w);
    });
    return tf.tidy(() => {
      let x: tf.Tensor4D = tf.tensor4d(pixels, [entries.length * views, h, w, 1]);
      if (h !== inputSize[0] || w !== inputSize[1]) x = tf.image.resizeBilinear(x, inputSize, false, true);
      if (normalize) x = x.sub(normalize.mean).div(normalize.std);
      if (channels === 3) x = tf.concat([x, x, x], 3);
      return mode === 'multi_view' ? x.reshape([entries.length, views, inputSize[0], inputSize[1], channels]) : x;
    });
  }

  async *batches(epoch: number): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const { batchSize } = this.opts;
    for (let k = 0; k < this.batchesPerEpoch; k++) {
      const picked = Array.from(order.subarray(k * batchSize, (k + 1) * batchSize), (i) => this.entries[i]);
      const x = this.inputs(picked);
      const y = tf.tensor1d(
        Int32Array.from(picked, (e) => e.classIndex),
        'int32',
      );
      // Yield to the event loop between batches, as common's DataLoader does.
      await new Promise<void>((resolve) => setImmediate(resolve));
      yield { x, y };
    }
  }
}
