// Output sizes and crop boxes with torchvision's rules (transforms.Resize, CenterCrop, RandomResizedCrop, 0.14).
import type { Rng } from '../../random';

/** A crop box in pixels. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `[h, w]` from a size given as one number (square) or a pair. */
export function sizePair(size: number | readonly [number, number]): [number, number] {
  const pair: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!pair.every((s) => Number.isInteger(s) && s > 0))
    throw new Error(`image size must be positive integers, got ${JSON.stringify(size)}`);
  return pair;
}

/**
 * Resize's output size: a pair is taken as is; one number sets the shorter side, the longer one is
 * int(size x long / short) (truncated, as torchvision does).
 */
export function resizedSize(height: number, width: number, size: number | readonly [number, number]): [number, number] {
  if (typeof size !== 'number') return sizePair(size);
  sizePair(size);
  if (height <= width) return [size, Math.trunc((size * width) / height)];
  return [Math.trunc((size * height) / width), size];
}

/** CenterCrop's box: the offsets are int(round((H - h) / 2)) and int(round((W - w) / 2)). */
export function centerCropBox(height: number, width: number, size: number | readonly [number, number]): CropBox {
  const [h, w] = sizePair(size);
  if (h > height || w > width)
    throw new Error(`center crop ${h}x${w} is larger than the ${height}x${width} image (resize first)`);
  return { top: roundHalfEven((height - h) / 2), left: roundHalfEven((width - w) / 2), height: h, width: w };
}

/**
 * RandomResizedCrop.get_params: up to 10 attempts at an area fraction drawn from `scale` and an aspect ratio drawn
 * log-uniformly from `ratio`; a box that does not fit is redrawn; after 10 misses, the central crop with the ratio
 * clamped into `ratio` (the whole image when its ratio is inside).
 */
export function randomResizedCropBox(
  height: number,
  width: number,
  rng: Rng,
  scale: readonly [number, number] = [0.08, 1],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): CropBox {
  if (!(scale[0] <= scale[1]) || !(ratio[0] <= ratio[1])) {
    throw new Error(
      `random resized crop: scale and ratio must be [min, max] ranges, got ${JSON.stringify({ scale, ratio })}`,
    );
  }
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = roundHalfEven(w / ratio[0]);
  else if (inRatio > ratio[1]) w = roundHalfEven(h * ratio[1]);
  return { top: Math.trunc((height - h) / 2), left: Math.trunc((width - w) / 2), height: h, width: w };
}
