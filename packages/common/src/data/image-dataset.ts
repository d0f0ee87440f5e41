import { createRng } from '../random/rng';

/** Uint8 images in NHWC order with integer labels, all in memory. */
export class ImageDataset {
  readonly length: number;

  constructor(
    /** Pixels of all images, NHWC, row-major. */
    readonly images: Uint8Array,
    readonly labels: Int32Array,
    /** [height, width, channels] of one image. */
    readonly imageShape: readonly [number, number, number],
    /** Names of the classes, indexed by label, when known. */
    readonly classNames?: readonly string[],
  ) {
    const [h, w, c] = imageShape;
    if (![h, w, c].every((d) => Number.isInteger(d) && d > 0))
      throw new Error(`ImageDataset: bad image shape [${imageShape.join(', ')}]`);
    if (images.length !== labels.length * h * w * c) {
      throw new Error(
        `ImageDataset: ${labels.length} labels need ${labels.length * h * w * c} pixel values for [${h}, ${w}, ${c}] images, got ${images.length}`,
      );
    }
    this.length = labels.length;
  }

  get pixelsPerImage(): number {
    return this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
  }

  /** The pixels of image `i` (a view, not a copy). */
  image(i: number): Uint8Array {
    const size = this.pixelsPerImage;
    return this.images.subarray(i * size, (i + 1) * size);
  }

  /** A dataset holding the given examples, in the given order (copied). */
  subset(indices: ArrayLike<number>): ImageDataset {
    const size = this.pixelsPerImage;
    const images = new Uint8Array(indices.length * size);
    const labels = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= this.length)
        throw new Error(`ImageDataset.subset: index ${i} out of range [0, ${this.length})`);
      images.set(this.image(i), k * size);
      labels[k] = this.labels[i];
    }
    return new ImageDataset(images, labels, this.imageShape, this.classNames);
  }

  /** Number of examples of each label 0..max label (or 0..numClasses-1). */
  labelCounts(numClasses = this.classNames?.length ?? this.labels.reduce((m, l) => Math.max(m, l), -1) + 1): number[] {
    const counts = new Array<number>(numClasses).fill(0);
    for (const label of this.labels) counts[label]++;
    return counts;
  }
}

export interface SplitOptions {
  /** Fraction of the examples that go to validation, in (0, 1); or use `valSize`. */
  valFraction?: number;
  /** Exact number of validation examples. */
  valSize?: number;
  seed: number;
  /** Keep each label's share equal in both parts (default true). */
  stratified?: boolean;
}

/**
 * Seeded train/validation split: the indices of each part (ascending). With `stratified`, each label contributes
 * round(count * valSize / n) examples to validation (the remainder is settled on the largest fractional parts).
 */
/**
 * Positions of a stratified, seeded subset of `count` examples (every one when count is 0 or not smaller): what every
 * app's `*_limit` option takes, so that a quick run on N examples keeps the class balance of the whole set.
 */
export function stratifiedSubset(labels: ArrayLike<number>, count: number, seed: number): Int32Array {
  if (count === 0 || count >= labels.length) return Int32Array.from({ length: labels.length }, (_, i) => i);
  return splitIndices(labels, { valSize: count, seed }).val;
}

export function splitIndices(labels: ArrayLike<number>, opts: SplitOptions): { train: Int32Array; val: Int32Array } {
  const n = labels.length;
  const valSize = opts.valSize ?? Math.round((opts.valFraction ?? NaN) * n);
  if (!Number.isInteger(valSize) || valSize < 0 || valSize > n) {
    throw new Error(
      `seededSplit: validation size must be in [0, ${n}] (from valSize or valFraction in [0, 1]), got valSize=${opts.valSize} valFraction=${opts.valFraction}`,
    );
  }
  const rng = createRng(opts.seed);
  const isVal = new Uint8Array(n);
  if (opts.stratified === false) {
    const order = rng.permutation(n);
    for (let k = 0; k < valSize; k++) isVal[order[k]] = 1;
  } else {
    const byLabel = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const list = byLabel.get(labels[i]) ?? [];
      list.push(i);
      byLabel.set(labels[i], list);
    }
    const groups = [...byLabel.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
    const exact = groups.map((g) => (g.length * valSize) / n);
    const take = exact.map(Math.floor);
    const byRemainder = exact.map((e, i) => [e - take[i], i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let k = 0; k < valSize - take.reduce((a, b) => a + b, 0); k++) take[byRemainder[k][1]]++;
    groups.forEach((group, g) => {
      rng.shuffle(group);
      for (let k = 0; k < take[g]; k++) isVal[group[k]] = 1;
    });
  }
  const val = new Int32Array(valSize);
  const train = new Int32Array(n - valSize);
  let v = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (isVal[i]) val[v++] = i;
    else train[t++] = i;
  }
  return { train, val };
}

/** Splits a dataset into seeded train and validation parts (see `splitIndices`). */
export function seededSplit(dataset: ImageDataset, opts: SplitOptions): { train: ImageDataset; val: ImageDataset } {
  const { train, val } = splitIndices(dataset.labels, opts);
  return { train: dataset.subset(train), val: dataset.subset(val) };
}
