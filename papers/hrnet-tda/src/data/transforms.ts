// Crops for the official ImageNet pipeline (torchvision RandomResizedCrop / CenterCrop) as batch transforms.
import * as tf from '@tensorflow/tfjs';
import type { ImageTransform } from '@research/common';

export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image (torchvision default [0.08, 1]). */
  scale?: [number, number];
  /** Range of the crop's aspect ratio w/h, drawn log-uniformly (default [3/4, 4/3]). */
  ratio?: [number, number];
}

/**
 * torchvision RandomResizedCrop: per image, up to 10 draws of (area, log-ratio) for a crop that fits, else the
 * central crop with the ratio clamped to the range; then a bilinear resize to `size` ([height, width]).
 */
export function randomResizedCrop(size: [number, number], opts: RandomResizedCropOptions = {}): ImageTransform {
  const [sLo, sHi] = opts.scale ?? [0.08, 1];
  const [rLo, rHi] = opts.ratio ?? [3 / 4, 4 / 3];
  return (images, rng) => {
    const [b, h, w] = images.shape;
    const boxes: number[][] = [];
    for (let k = 0; k < b; k++) {
      let box: number[] | undefined;
      for (let attempt = 0; attempt < 10 && !box; attempt++) {
        const area = h * w * rng.uniform(sLo, sHi);
        const ratio = Math.exp(rng.uniform(Math.log(rLo), Math.log(rHi)));
        const cw = Math.round(Math.sqrt(area * ratio));
        const ch = Math.round(Math.sqrt(area / ratio));
        if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
          const top = rng.int(h - ch + 1);
          const left = rng.int(w - cw + 1);
          box = [top, left, top + ch, left + cw];
        }
      }
      if (!box) {
        const ratio = w / h;
        const [cw, ch] = ratio < rLo ? [w, Math.round(w / rLo)] : ratio > rHi ? [Math.round(h * rHi), h] : [w, h];
        const top = Math.floor((h - ch) / 2);
        const left = Math.floor((w - cw) / 2);
        box = [top, left, top + ch, left + cw];
      }
      // cropAndResize boxes are normalised so that 0 and 1 are the first and last pixel centres.
      boxes.push([box[0] / (h - 1), box[1] / (w - 1), (box[2] - 1) / (h - 1), (box[3] - 1) / (w - 1)]);
    }
    return tf.tidy(() =>
      tf.image.cropAndResize(
        images,
        tf.tensor2d(boxes, [b, 4]),
        tf.range(0, b, 1, 'int32') as tf.Tensor1D,
        size,
        'bilinear',
      ),
    );
  };
}

/** The central [height, width] crop (torchvision CenterCrop), an exact pixel copy. */
export function centerCrop(size: [number, number]): ImageTransform {
  const [ch, cw] = size;
  return (images) => {
    const [, h, w] = images.shape;
    if (ch > h || cw > w) throw new Error(`centerCrop: crop ${ch}x${cw} is larger than the image ${h}x${w}`);
    const top = Math.round((h - ch) / 2);
    const left = Math.round((w - cw) / 2);
    return images.slice([0, top, left, 0], [-1, ch, cw, -1]);
  };
}
