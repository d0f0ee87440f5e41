// Image folders in the ImageNet / torchvision ImageFolder layout: <root>/<class>/**/<image>, decoded with sharp.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp, { type KernelEnum, type OutputInfo } from 'sharp';
import type { Batch, BatchSource } from './batch';
import { batchesPerEpoch, epochOrder, examplesPerEpoch, type DataLoaderOptions } from './loader';
import { ImageDataset } from './image-dataset';
import { createRng, mixSeeds } from '../random/rng';

/** torchvision's IMG_EXTENSIONS: the files ImageFolder lists (matched case-insensitively). */
export const IMAGE_FOLDER_EXTENSIONS = [
  '.jpg',
  '.jpeg',
  '.png',
  '.ppm',
  '.bmp',
  '.pgm',
  '.tif',
  '.tiff',
  '.webp',
] as const;

export interface ImageFolderIndex {
  root: string;
  /** Class folder names, sorted as Python's sorted() does (by code point); the label of a class is its index. */
  classes: string[];
  classToIdx: Record<string, number>;
  /** Absolute paths of the images, in torchvision's order: by class, then directory, then file name. */
  files: string[];
  labels: Int32Array;
}

/** Python's string order (code points); JS's default compares UTF-16 code units, which differs beyond the BMP. */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory(); // follows symlinks, like os.scandir's is_dir() and os.walk(followlinks=True)
  } catch {
    return false;
  }
}

/** Every directory under `top` (itself included), sorted by path as `sorted(os.walk(top))` does. */
function walkDirectories(top: string): string[] {
  const dirs: string[] = [];
  const visit = (dir: string) => {
    dirs.push(dir);
    for (const name of fs.readdirSync(dir)) {
      const child = path.join(dir, name);
      if (isDirectory(child)) visit(child);
    }
  };
  visit(top);
  return dirs.sort(compareCodePoints);
}

/**
 * Lists `<root>/<class>/**` like torchvision's `ImageFolder(root)`: the same classes, class_to_idx, file order and
 * labels. Throws when `root` is missing, has no class folder, or a class has no image.
 */
export function listImageFolder(
  root: string,
  extensions: readonly string[] = IMAGE_FOLDER_EXTENSIONS,
): ImageFolderIndex {
  const top = path.resolve(root);
  if (!isDirectory(top)) throw new Error(`listImageFolder: ${top} is not a directory`);
  const classes = fs
    .readdirSync(top)
    .filter((name) => isDirectory(path.join(top, name)))
    .sort(compareCodePoints);
  if (classes.length === 0) throw new Error(`listImageFolder: found no class folder in ${top}`);
  const wanted = extensions.map((e) => e.toLowerCase());
  const files: string[] = [];
  const labels: number[] = [];
  const empty: string[] = [];
  classes.forEach((cls, label) => {
    const before = files.length;
    for (const dir of walkDirectories(path.join(top, cls))) {
      const names = fs
        .readdirSync(dir)
        .filter((name) => !isDirectory(path.join(dir, name)))
        .sort(compareCodePoints);
      for (const name of names) {
        if (!wanted.some((ext) => name.toLowerCase().endsWith(ext))) continue;
        files.push(path.join(dir, name));
        labels.push(label);
      }
    }
    if (files.length === before) empty.push(cls);
  });
  if (empty.length > 0) {
    throw new Error(
      `listImageFolder: found no image in the class folders ${empty.join(', ')} of ${top} (extensions: ${wanted.join(' ')})`,
    );
  }
  const classToIdx = Object.fromEntries(classes.map((c, i) => [c, i]));
  return { root: top, classes, classToIdx, files, labels: Int32Array.from(labels) };
}

export interface DecodeImageOptions {
  /** 3: RGB (alpha dropped, grey replicated), as PIL's convert('RGB'); 1: grey (libvips' b-w conversion). */
  channels: 1 | 3;
  /** Resize to [height, width]; omitted: keep the file's size. */
  size?: readonly [number, number];
  /** 'fill' stretches to the size; 'cover' scales the shorter side to fit, then crops the centre (Resize + CenterCrop). */
  fit?: 'fill' | 'cover';
  /** Resampling kernel; 'linear' (default) is closest to torchvision's bilinear Resize. */
  kernel?: keyof KernelEnum;
}

export interface DecodedImage {
  /** Pixels in HWC order. */
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/** Decodes an image file (PNG, JPEG, WebP, TIFF, ... whatever sharp reads) to uint8 HWC pixels. */
export async function decodeImageFile(file: string, opts: DecodeImageOptions): Promise<DecodedImage> {
  let image = sharp(file, { failOn: 'error' });
  image = opts.channels === 1 ? image.greyscale() : image.removeAlpha().toColourspace('srgb');
  if (opts.size) {
    const [height, width] = opts.size;
    image = image.resize(width, height, {
      fit: opts.fit ?? 'fill',
      position: 'centre',
      kernel: opts.kernel ?? 'linear',
    });
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await image.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`decodeImageFile: cannot decode ${file}: ${(err as Error).message}`, { cause: err });
  }
  const { data, info } = decoded;
  if (info.channels !== opts.channels) {
    throw new Error(`decodeImageFile: ${file} decoded to ${info.channels} channels, expected ${opts.channels}`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    height: info.height,
    width: info.width,
    channels: info.channels,
  };
}

/**
 * Decodes `files` resized to one size into a single NHWC uint8 buffer (a batch), `concurrency` files at a time
 * (sharp decodes on libuv's thread pool).
 */
export async function decodeImageBatch(
  files: readonly string[],
  opts: DecodeImageOptions & { size: readonly [number, number] },
  concurrency = 4,
): Promise<Uint8Array> {
  const [height, width] = opts.size;
  const imageSize = height * width * opts.channels;
  const out = new Uint8Array(files.length * imageSize);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      out.set((await decodeImageFile(files[i], opts)).data, i * imageSize);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return out;
}

/** Lists and decodes a whole image folder into memory (for folders that fit; use the index + decodeImageBatch otherwise). */
export async function loadImageFolderDataset(
  root: string,
  opts: DecodeImageOptions & { size: readonly [number, number] },
): Promise<ImageDataset> {
  const index = listImageFolder(root);
  const images = await decodeImageBatch(index.files, opts);
  return new ImageDataset(images, index.labels, [opts.size[0], opts.size[1], opts.channels], index.classes);
}

/** DataLoader's options (batching, seeded order, drop-last, transform, prefetch: default 1 here) plus decoding. */
export interface ImageFolderSourceOptions extends DecodeImageOptions, DataLoaderOptions {
  size: readonly [number, number];
  /** Files decoded at once; default 4. */
  concurrency?: number;
}

/**
 * A BatchSource that decodes an image folder lazily, batch by batch (for folders too large for memory, such as
 * ImageNet): `{x: float32 [B, H, W, C] in [0, 1] (then transformed), y: int32 [B]}`, like DataLoader. The next
 * batches are decoded (on sharp's threads) while the current one is being used.
 */
export class ImageFolderSource implements BatchSource {
  readonly batchSize: number;
  readonly seed: number;

  constructor(
    readonly index: ImageFolderIndex,
    private readonly opts: ImageFolderSourceOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize <= 0) {
      throw new Error(`ImageFolderSource: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    this.batchSize = opts.batchSize;
    this.seed = opts.seed ?? 0;
    examplesPerEpoch(index.files.length, opts); // validates samplesPerEpoch
  }

  get size(): number {
    return this.index.files.length;
  }

  get batchesPerEpoch(): number {
    return batchesPerEpoch(examplesPerEpoch(this.size, this.opts), this.batchSize, this.opts.dropLast);
  }

  /** The order in which epoch `epoch` visits the files. */
  order(epoch: number): Int32Array {
    return epochOrder(this.size, { ...this.opts, seed: this.seed }, epoch);
  }

  async *batches(epoch: number): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const total = this.batchesPerEpoch;
    const decode = (k: number) => {
      const indices = order.subarray(k * this.batchSize, Math.min((k + 1) * this.batchSize, order.length));
      const pixels = decodeImageBatch(
        Array.from(indices, (i) => this.index.files[i]),
        this.opts,
        this.opts.concurrency,
      );
      pixels.catch(() => undefined); // reported when awaited; avoids an unhandled rejection while it waits
      return { indices, pixels };
    };
    const ahead = Math.max(0, this.opts.prefetch ?? 1);
    const queue: ReturnType<typeof decode>[] = [];
    let scheduled = 0;
    while (scheduled < total && queue.length <= ahead) queue.push(decode(scheduled++));
    for (let k = 0; k < total; k++) {
      const { indices, pixels } = queue.shift()!;
      const data = await pixels;
      if (scheduled < total) queue.push(decode(scheduled++));
      const [h, w] = this.opts.size;
      const labels = Int32Array.from(indices, (i) => this.index.labels[i]);
      const x = tf.tidy(() => {
        const raw = tf
          .tensor4d(data, [indices.length, h, w, this.opts.channels], 'int32')
          .toFloat()
          .div(255) as tf.Tensor4D;
        return this.opts.transform ? this.opts.transform(raw, createRng(mixSeeds(this.seed, epoch, k))) : raw;
      });
      yield { x, y: tf.tensor1d(labels, 'int32') };
    }
  }
}
