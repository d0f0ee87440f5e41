// Seeded (anchor, positive, negative) triplets from a labelled image dataset, as a BatchSource.
// Epoch e's triplets and augmentations depend only on (seed, e): a resumed run sees the same batches.
import * as tf from '@tensorflow/tfjs';
import {
  createRng,
  mixSeeds,
  type Batch,
  type BatchSource,
  type ImageDataset,
  type ImageTransform,
  type Rng,
} from '@research/common';

export interface Triplets {
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
}

/** The indices of each label 0..numClasses-1. */
export function indicesByClass(labels: ArrayLike<number>, numClasses: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses)
      throw new Error(`label ${label} at index ${i} is out of range [0, ${numClasses})`);
    lists[label].push(i);
  }
  return lists.map((l) => Int32Array.from(l));
}

/**
 * For each anchor: a positive drawn uniformly from the other examples of its class, and a negative drawn by picking
 * one of the other classes uniformly, then an example of it uniformly. Every class present needs two examples, and
 * at least two classes must be present.
 */
export function sampleTriplets(
  labels: ArrayLike<number>,
  anchors: ArrayLike<number>,
  byClass: readonly Int32Array[],
  rng: Rng,
): Triplets {
  const present = byClass.map((list, c) => (list.length > 0 ? c : -1)).filter((c) => c >= 0);
  if (present.length < 2) throw new Error(`triplets need examples of at least 2 classes, got ${present.length}`);
  const single = present.find((c) => byClass[c].length < 2);
  if (single !== undefined)
    throw new Error(`class ${single} has a single example: it cannot have a positive of a different index`);
  const n = anchors.length;
  const out: Triplets = { anchor: Int32Array.from(anchors), positive: new Int32Array(n), negative: new Int32Array(n) };
  for (let k = 0; k < n; k++) {
    const a = out.anchor[k];
    const own = byClass[labels[a]];
    // Draw among the class's other members: skip the anchor's own slot.
    let j = rng.int(own.length - 1);
    if (own[j] === a) j = own.length - 1;
    out.positive[k] = own[j];
    let other = present[rng.int(present.length - 1)];
    if (other === labels[a]) other = present[present.length - 1];
    const members = byClass[other];
    out.negative[k] = members[rng.int(members.length)];
  }
  return out;
}

export interface TripletDatasetOptions {
  batchSize: number;
  seed: number;
  /** Anchors per epoch (default: every example once, in a seeded order; more cycles through new permutations). */
  anchorsPerEpoch?: number;
  /** Applied to anchors, positives and negatives separately (images in [0, 1]), each with its own seeded rng. */
  transform?: ImageTransform;
  numClasses?: number;
}

/**
 * Yields `{anchor, positive, negative: float32 [B, H, W, C] in [0, 1], y: int32 [B] (anchor and positive label),
 * y_negative: int32 [B]}`. The receiver disposes the tensors.
 */
export class TripletDataset implements BatchSource {
  readonly batchSize: number;
  readonly seed: number;
  readonly anchorsPerEpoch: number;
  private readonly transform?: ImageTransform;
  private readonly byClass: Int32Array[];

  constructor(
    readonly dataset: ImageDataset,
    opts: TripletDatasetOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0)
      throw new Error(`TripletDataset: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.batchSize = opts.batchSize;
    this.seed = opts.seed;
    this.anchorsPerEpoch = opts.anchorsPerEpoch || dataset.length;
    if (!Number.isInteger(this.anchorsPerEpoch) || this.anchorsPerEpoch <= 0) {
      throw new Error(`TripletDataset: anchorsPerEpoch must be a positive integer, got ${opts.anchorsPerEpoch}`);
    }
    this.transform = opts.transform;
    const numClasses =
      opts.numClasses ?? dataset.classNames?.length ?? dataset.labels.reduce((m, l) => Math.max(m, l), -1) + 1;
    this.byClass = indicesByClass(dataset.labels, numClasses);
  }

  get size(): number {
    return this.anchorsPerEpoch;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.anchorsPerEpoch / this.batchSize);
  }

  /** The triplets of an epoch: anchors from seeded permutations, then positives and negatives. */
  triplets(epoch: number): Triplets {
    const rng = createRng(mixSeeds(this.seed, epoch));
    const n = this.dataset.length;
    const anchors = new Int32Array(this.anchorsPerEpoch);
    for (let start = 0; start < anchors.length; start += n) {
      const perm = rng.permutation(n);
      anchors.set(perm.subarray(0, Math.min(n, anchors.length - start)), start);
    }
    return sampleTriplets(this.dataset.labels, anchors, this.byClass, rng);
  }

  private images(indices: Int32Array, rngSeed: number): tf.Tensor4D {
    const [h, w, c] = this.dataset.imageShape;
    const size = h * w * c;
    const pixels = new Float32Array(indices.length * size);
    for (let j = 0; j < indices.length; j++) {
      const image = this.dataset.image(indices[j]);
      for (let p = 0; p < size; p++) pixels[j * size + p] = image[p] / 255;
    }
    return tf.tidy(() => {
      const raw = tf.tensor4d(pixels, [indices.length, h, w, c]);
      return this.transform ? this.transform(raw, createRng(rngSeed)) : raw;
    });
  }

  /** Batch `k` of an epoch's triplets. */
  makeBatch(triplets: Triplets, epoch: number, k: number): Batch {
    const from = k * this.batchSize;
    const to = Math.min(from + this.batchSize, triplets.anchor.length);
    const pick = (a: Int32Array) => a.subarray(from, to);
    const labelsOf = (idx: Int32Array) =>
      tf.tensor1d(
        Int32Array.from(idx, (i) => this.dataset.labels[i]),
        'int32',
      );
    return {
      anchor: this.images(pick(triplets.anchor), mixSeeds(this.seed, epoch, k, 0)),
      positive: this.images(pick(triplets.positive), mixSeeds(this.seed, epoch, k, 1)),
      negative: this.images(pick(triplets.negative), mixSeeds(this.seed, epoch, k, 2)),
      y: labelsOf(pick(triplets.anchor)),
      y_negative: labelsOf(pick(triplets.negative)),
    };
  }

  async *batches(epoch: number): AsyncGenerator<Batch> {
    const triplets = this.triplets(epoch);
    for (let k = 0; k < this.batchesPerEpoch; k++) yield this.makeBatch(triplets, epoch, k);
  }
}
