// A BatchSource over an index file of <data_dir>: images decoded lazily with sharp, labelled by their class folder.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../batch';
import { listImageFolder } from '../image-folder';
import { batchesPerEpoch, epochOrder, examplesPerEpoch } from '../loader';
import { createRng, mixSeeds } from '../../random';
import { readIndexFile } from '../splits';
import {
  checkTransforms,
  loadTransformedImage,
  outputSize,
  type ImageTransformSpec,
  type PipelineOptions,
} from './image-pipeline';
import type { FloatImage } from './pixel-ops';

export interface IndexedImageDatasetOptions extends PipelineOptions {
  /** The data folder that index paths are relative to (it holds raw/ and splits/). */
  dataDir: string;
  /** An index file (e.g. <data_dir>/splits/fold_0_train.txt), or the relative paths themselves. */
  index: string | readonly string[];
  /** Applied in order; the last geometric step must fix the size (a pair or a crop) so that images batch. */
  transforms: readonly ImageTransformSpec[];
  /** Class names, label = position; default the sorted class folders of <data_dir>/raw (torchvision ImageFolder). */
  classes?: readonly string[];
  batchSize: number;
  /** Shuffle each epoch (order = f(seed, epoch)); default true. */
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
  /** Examples per epoch, as DataLoader's option. */
  samplesPerEpoch?: number;
  /** Batches decoded ahead of the one in use; default 1. */
  prefetch?: number;
  /** Files decoded at once (sharp runs on libuv's threads); default 4. */
  concurrency?: number;
}

/**
 * `{x: float32 [B, H, W, C], y: int32 [B]}` batches of the images an index file lists. The class of
 * `raw/<class>/...` is its folder; random transform steps of the image at position p of epoch e draw from an rng
 * seeded by (seed, e, p), so the batches do not depend on decoding order or timing.
 */
export class IndexedImageDataset implements BatchSource {
  readonly files: string[];
  readonly labels: Int32Array;
  readonly classes: string[];
  readonly batchSize: number;
  readonly seed: number;
  /** [height, width, channels] of every output image. */
  readonly imageShape: [number, number, number];
  private readonly indexName: string;

  constructor(private readonly opts: IndexedImageDatasetOptions) {
    checkTransforms(opts.transforms);
    const size = outputSize(opts.transforms);
    if (!size)
      throw new Error(
        'IndexedImageDataset: the transforms must end their geometric steps with a fixed size (resize to [h, w], a crop)',
      );
    if (opts.channels !== 1 && opts.channels !== 3)
      throw new Error(`IndexedImageDataset: channels must be 1 or 3, got ${opts.channels}`);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0) {
      throw new Error(`IndexedImageDataset: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    this.imageShape = [size[0], size[1], opts.channels];
    this.batchSize = opts.batchSize;
    this.seed = opts.seed ?? 0;
    this.indexName = typeof opts.index === 'string' ? opts.index : 'the index list';
    this.files = typeof opts.index === 'string' ? readIndexFile(opts.index, opts.dataDir) : [...opts.index];
    this.classes = opts.classes ? [...opts.classes] : listImageFolder(path.join(opts.dataDir, 'raw')).classes;
    const classIndex = new Map(this.classes.map((c, i) => [c, i]));
    this.labels = Int32Array.from(this.files, (file, line) => {
      const parts = file.split('/');
      const label = parts[0] === 'raw' && parts.length >= 3 ? classIndex.get(parts[1]) : undefined;
      if (label === undefined) {
        throw new Error(
          `${this.indexName}: entry ${line + 1} '${file}' is not raw/<class>/<image> with a class among ${this.classes.join(', ')}`,
        );
      }
      return label;
    });
    examplesPerEpoch(this.files.length, opts); // validates samplesPerEpoch
  }

  get size(): number {
    return this.files.length;
  }

  get batchesPerEpoch(): number {
    return batchesPerEpoch(examplesPerEpoch(this.size, this.opts), this.batchSize, this.opts.dropLast);
  }

  order(epoch: number): Int32Array {
    return epochOrder(
      this.size,
      { shuffle: this.opts.shuffle, seed: this.seed, samplesPerEpoch: this.opts.samplesPerEpoch },
      epoch,
    );
  }

  /** The listed files with their data folder (what is decoded). */
  get paths(): string[] {
    return this.files.map((f) => path.join(this.opts.dataDir, f));
  }

  /** Image `i` of the list, transformed with the random draws of position `position` in epoch `epoch`. */
  async image(i: number, epoch = 0, position = i): Promise<FloatImage> {
    const file = path.join(this.opts.dataDir, this.files[i]);
    const img = await loadTransformedImage(
      file,
      this.opts.transforms,
      createRng(mixSeeds(this.seed, epoch, position)),
      this.opts,
    );
    const [h, w] = this.imageShape;
    if (img.height !== h || img.width !== w)
      throw new Error(`${file}: transformed to ${img.height}x${img.width}, expected ${h}x${w}`);
    return img;
  }

  /** Batch k of the epoch's order, or only its rows [lo, hi) of `shard` (rank, worldSize). */
  private async decodeBatch(
    order: Int32Array,
    epoch: number,
    k: number,
    shard?: [rank: number, worldSize: number],
  ): Promise<{ pixels: Float32Array; labels: Int32Array }> {
    let start = k * this.batchSize;
    let end = Math.min(start + this.batchSize, order.length);
    if (shard) {
      const rows = end - start;
      const [rank, worldSize] = shard;
      [start, end] = [
        start + Math.floor((rank * rows) / worldSize),
        start + Math.floor(((rank + 1) * rows) / worldSize),
      ];
    }
    const indices = order.subarray(start, end);
    const [h, w, c] = this.imageShape;
    const pixels = new Float32Array(indices.length * h * w * c);
    let next = 0;
    const worker = async () => {
      while (next < indices.length) {
        const j = next++;
        pixels.set((await this.image(indices[j], epoch, start + j)).data, j * h * w * c);
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(this.opts.concurrency ?? 4, indices.length)) }, worker),
    );
    return { pixels, labels: Int32Array.from(indices, (i) => this.labels[i]) };
  }

  async *batches(epoch: number): AsyncGenerator<Batch> {
    yield* this.batchesOf(epoch);
  }

  /**
   * A data-parallel rank's view: rows [floor(r B / n), floor((r + 1) B / n)) of every global batch B, decoded alone,
   * with the same images and random draws as those rows of `batches` (a rank does not decode the others' rows).
   */
  shard(rank: number, worldSize: number): BatchSource {
    if (!(Number.isInteger(worldSize) && worldSize >= 1 && Number.isInteger(rank) && rank >= 0 && rank < worldSize))
      throw new Error(`IndexedImageDataset.shard: expected 0 <= rank < worldSize, got rank ${rank} of ${worldSize}`);
    return {
      batchesPerEpoch: this.batchesPerEpoch,
      size: this.size,
      batches: (epoch: number) => this.batchesOf(epoch, [rank, worldSize]),
    };
  }

  private async *batchesOf(epoch: number, shard?: [number, number]): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const total = this.batchesPerEpoch;
    const ahead = Math.max(0, this.opts.prefetch ?? 1);
    const queue: Promise<{ pixels: Float32Array; labels: Int32Array }>[] = [];
    let scheduled = 0;
    const schedule = () => {
      const promise = this.decodeBatch(order, epoch, scheduled++, shard);
      promise.catch(() => undefined); // reported when awaited; avoids an unhandled rejection while it waits
      queue.push(promise);
    };
    while (scheduled < total && queue.length <= ahead) schedule();
    for (let k = 0; k < total; k++) {
      const { pixels, labels } = await queue.shift()!;
      if (scheduled < total) schedule();
      yield { x: tf.tensor4d(pixels, [labels.length, ...this.imageShape]), y: tf.tensor1d(labels, 'int32') };
    }
  }
}
