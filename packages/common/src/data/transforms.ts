// Batch transforms for images [B, H, W, C] (float, usually in [0, 1]). A transform draws its random numbers from the
// `rng` it is given, so a loader that seeds one per batch gets the same augmentation whatever the timing.
import * as tf from '@tensorflow/tfjs';
import { affineAboutCentre, perspectiveRow, transformRow } from './geometry';
import type { Rng } from '../random/rng';

export type ImageTransform = (images: tf.Tensor4D, rng: Rng) => tf.Tensor4D;

export interface WarpOptions {
  interpolation?: 'bilinear' | 'nearest';
  /** Value of pixels that come from outside the input. Default 0. */
  fill?: number;
}

/** Applies the transforms in order. */
export function composeTransforms(...transforms: ImageTransform[]): ImageTransform {
  return (images, rng) => tf.tidy(() => transforms.reduce((x, t) => t(x, rng), images));
}

function perChannel(values: number | readonly number[], channels: number, what: string): tf.Tensor1D {
  const list = typeof values === 'number' ? new Array<number>(channels).fill(values) : [...values];
  if (list.length !== channels)
    throw new Error(`normalize: ${what} has ${list.length} values for ${channels} channels`);
  return tf.tensor1d(list);
}

/** `(x - mean) / std` per channel, like torchvision's Normalize. */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): ImageTransform {
  if ((typeof std === 'number' ? [std] : std).some((s) => s === 0)) throw new Error('normalize: std must not be 0');
  return (images) =>
    tf.tidy(() => {
      const c = images.shape[3];
      return images.sub(perChannel(mean, c, 'mean')).div(perChannel(std, c, 'std')) as tf.Tensor4D;
    });
}

/** Warps each image with its own tf.image.transform row (`rows` is [B][8]). */
export function warpImages(
  images: tf.Tensor4D,
  rows: number[][],
  opts: WarpOptions = {},
  outputShape?: [number, number],
): tf.Tensor4D {
  const warp = (x: tf.Tensor4D, r: number[][]) =>
    tf.image.transform(
      x,
      tf.tensor2d(r, [r.length, 8]),
      opts.interpolation ?? 'bilinear',
      'constant',
      opts.fill ?? 0,
      outputShape,
    );
  return tf.tidy(() => {
    // tfjs 4.22's cpu Transform kernel returns after the first image of a batch (its return sits inside the batch
    // loop), so on that backend each image is warped on its own.
    if (tf.getBackend() === 'cpu' && rows.length > 1) {
      return tf.concat(rows.map((row, b) => warp(images.slice([b, 0, 0, 0], [1, -1, -1, -1]), [row])));
    }
    return warp(images, rows);
  });
}

/**
 * Random crop of `size` after padding each side with `padding` pixels of `fill` (torchvision RandomCrop). Done as an
 * integer translation with nearest sampling, so pixels are copied exactly.
 */
export function randomCrop(
  size: number | [number, number],
  opts: { padding?: number; fill?: number } = {},
): ImageTransform {
  const [ch, cw] = typeof size === 'number' ? [size, size] : size;
  const pad = opts.padding ?? 0;
  return (images, rng) => {
    const [b, h, w] = images.shape;
    if (ch > h + 2 * pad || cw > w + 2 * pad)
      throw new Error(`randomCrop: crop ${ch}x${cw} is larger than the padded image ${h + 2 * pad}x${w + 2 * pad}`);
    const rows = Array.from({ length: b }, () => {
      const top = rng.int(h + 2 * pad - ch + 1) - pad;
      const left = rng.int(w + 2 * pad - cw + 1) - pad;
      return [1, 0, left, 0, 1, top, 0, 0];
    });
    return warpImages(images, rows, { interpolation: 'nearest', fill: opts.fill }, [ch, cw]);
  };
}

/** Mirrors each image left-right with probability `p` (an exact pixel copy: a mirror warp with nearest sampling). */
export function randomHorizontalFlip(p = 0.5): ImageTransform {
  return (images, rng) => {
    const [b, , w] = images.shape;
    const rows = Array.from({ length: b }, () =>
      rng.next() < p ? [-1, 0, w - 1, 0, 1, 0, 0, 0] : [1, 0, 0, 0, 1, 0, 0, 0],
    );
    return warpImages(images, rows, { interpolation: 'nearest' });
  };
}

function range(value: number | [number, number], name: string): [number, number] {
  const r: [number, number] = typeof value === 'number' ? [-Math.abs(value), Math.abs(value)] : value;
  if (!(r[0] <= r[1])) throw new Error(`${name}: expected a range [min, max] with min <= max, got [${r.join(', ')}]`);
  return r;
}

/** Rotation by an angle drawn uniformly from `[-degrees, degrees]` (or a `[min, max]` range), about the centre. */
export function randomRotation(degrees: number | [number, number], opts: WarpOptions = {}): ImageTransform {
  const [lo, hi] = range(degrees, 'randomRotation');
  return (images, rng) => {
    const [b, h, w] = images.shape;
    const rows = Array.from({ length: b }, () =>
      transformRow(affineAboutCentre(h, w, { degrees: rng.uniform(lo, hi) })),
    );
    return warpImages(images, rows, opts);
  };
}

export interface AffineOptions extends WarpOptions {
  /** Rotation range in degrees: `d` means [-d, d]. */
  degrees?: number | [number, number];
  /** Maximum translation as fractions of width and height. */
  translate?: [number, number];
  /** Scale range. */
  scale?: [number, number];
  /** Shear range in degrees along x (`d` means [-d, d]); a 4-tuple gives x and y ranges. */
  shear?: number | [number, number] | [number, number, number, number];
}

/** torchvision-style RandomAffine: rotation, translation, scale and shear drawn per image. */
export function randomAffine(opts: AffineOptions): ImageTransform {
  const degrees = range(opts.degrees ?? 0, 'randomAffine degrees');
  const [scaleLo, scaleHi] = opts.scale ?? [1, 1];
  const shear = opts.shear ?? 0;
  const shearX = range(typeof shear === 'number' ? shear : [shear[0], shear[1]], 'randomAffine shear');
  const shearY: [number, number] =
    Array.isArray(shear) && shear.length === 4 ? range([shear[2], shear[3]], 'randomAffine shear') : [0, 0];
  return (images, rng) => {
    const [b, h, w] = images.shape;
    const rows = Array.from({ length: b }, () => {
      const angle = rng.uniform(degrees[0], degrees[1]);
      const tx = opts.translate ? Math.round(rng.uniform(-opts.translate[0], opts.translate[0]) * w) : 0;
      const ty = opts.translate ? Math.round(rng.uniform(-opts.translate[1], opts.translate[1]) * h) : 0;
      const scale = rng.uniform(scaleLo, scaleHi);
      const sx = rng.uniform(shearX[0], shearX[1]);
      const sy = rng.uniform(shearY[0], shearY[1]);
      return transformRow(affineAboutCentre(h, w, { degrees: angle, translate: [tx, ty], scale, shear: [sx, sy] }));
    });
    return warpImages(images, rows, opts);
  };
}

/**
 * torchvision-style RandomPerspective: with probability `p`, each corner moves inward by up to
 * `distortion` × half the image size, and the image is warped accordingly.
 */
export function randomPerspective(opts: WarpOptions & { distortion?: number; p?: number } = {}): ImageTransform {
  const distortion = opts.distortion ?? 0.5;
  const p = opts.p ?? 0.5;
  return (images, rng) => {
    const [b, h, w] = images.shape;
    const dx = Math.floor(distortion * (w / 2));
    const dy = Math.floor(distortion * (h / 2));
    const start: [number, number][] = [
      [0, 0],
      [w - 1, 0],
      [w - 1, h - 1],
      [0, h - 1],
    ];
    const rows = Array.from({ length: b }, () => {
      if (!(rng.next() < p)) return [1, 0, 0, 0, 1, 0, 0, 0];
      const end: [number, number][] = [
        [rng.int(dx + 1), rng.int(dy + 1)],
        [w - 1 - rng.int(dx + 1), rng.int(dy + 1)],
        [w - 1 - rng.int(dx + 1), h - 1 - rng.int(dy + 1)],
        [rng.int(dx + 1), h - 1 - rng.int(dy + 1)],
      ];
      return perspectiveRow(start, end);
    });
    return warpImages(images, rows, opts);
  };
}

/** Bilinear resize to `[height, width]` with half-pixel centres (as PyTorch's align_corners=False). */
export function resize(size: [number, number]): ImageTransform {
  return (images) => tf.image.resizeBilinear(images, size, false, true);
}
