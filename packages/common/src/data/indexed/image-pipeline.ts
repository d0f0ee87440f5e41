// One image through a torchvision-like transform list: decode (sharp), geometric steps on the uint8 pixels (crops,
// Pillow's bilinear resize, as torchvision on PIL images), then pixel steps on floats in [0, 1] (flip, colour jitter,
// normalise).
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import type { Rng } from '../../random';
import { centerCropBox, randomResizedCropBox, resizedSize, sizePair, type CropBox } from './crop-geometry';
import { resizeBilinearPil } from './pil-resize';
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  flipHorizontal,
  normalizeInPlace,
  type FloatImage,
} from './pixel-ops';

type Size = number | [number, number];

/** The transforms, as in torchvision.transforms (names in snake_case, as in config files). */
export type ImageTransformSpec =
  | { type: 'resize'; size: Size }
  | { type: 'center_crop'; size: Size }
  | { type: 'random_resized_crop'; size: Size; scale?: [number, number]; ratio?: [number, number] }
  | { type: 'horizontal_flip'; p?: number }
  | { type: 'color_jitter'; brightness?: number; contrast?: number; saturation?: number; hue?: number }
  | { type: 'normalize'; mean: number[]; std: number[] };

const GEOMETRIC = new Set(['resize', 'center_crop', 'random_resized_crop']);

/** Throws, naming the step, for a list that cannot run: geometric steps must come before pixel steps. */
export function checkTransforms(transforms: readonly ImageTransformSpec[]): void {
  let pixelStep: string | undefined;
  transforms.forEach((t, i) => {
    if (
      !['resize', 'center_crop', 'random_resized_crop', 'horizontal_flip', 'color_jitter', 'normalize'].includes(t.type)
    ) {
      throw new Error(`transforms[${i}]: unknown type '${(t as { type: string }).type}'`);
    }
    if (t.type === 'resize' || t.type === 'center_crop' || t.type === 'random_resized_crop') {
      if (pixelStep)
        throw new Error(
          `transforms[${i}]: ${t.type} must come before ${pixelStep} (resizing and cropping run on the decoded pixels)`,
        );
      sizePair(t.size);
    } else {
      pixelStep ??= t.type;
    }
    if (t.type === 'color_jitter') {
      for (const key of ['brightness', 'contrast', 'saturation'] as const) {
        if (t[key] !== undefined && !(t[key]! >= 0))
          throw new Error(`transforms[${i}].${key}: expected a number >= 0, got ${t[key]}`);
      }
      if (t.hue !== undefined && !(t.hue >= 0 && t.hue <= 0.5))
        throw new Error(`transforms[${i}].hue: expected a number in [0, 0.5], got ${t.hue}`);
    }
    if (t.type === 'normalize' && t.std.some((s) => !(s > 0)))
      throw new Error(`transforms[${i}].std: every value must be > 0, got ${t.std}`);
  });
}

/** The [height, width] every output has, when the list fixes it (its last geometric step has a pair or a crop). */
export function outputSize(transforms: readonly ImageTransformSpec[]): [number, number] | undefined {
  const last = [...transforms].reverse().find((t) => GEOMETRIC.has(t.type)) as { type: string; size: Size } | undefined;
  if (!last || (last.type === 'resize' && typeof last.size === 'number')) return undefined;
  return sizePair(last.size);
}

interface ByteImage {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/** Runs a sharp pipeline and reads back raw pixels with the wanted number of channels. */
async function toRaw(image: Sharp, channels: 1 | 3, what: string): Promise<ByteImage> {
  // sharp writes raw output in sRGB unless told otherwise, also for a one-channel input.
  const converted = channels === 1 ? image.toColourspace('b-w') : image.removeAlpha().toColourspace('srgb');
  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await converted.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`cannot decode ${what}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const { data, info } = result;
  if (info.channels !== channels) throw new Error(`${what} decoded to ${info.channels} channels, expected ${channels}`);
  return { data, height: info.height, width: info.width, channels };
}

/** Decodes a file to uint8 pixels: grey (1) or RGB (3; grey replicated, alpha dropped). */
export async function decodeToChannels(file: string, channels: 1 | 3): Promise<ByteImage> {
  return toRaw(sharp(file, { failOn: 'error' }), channels, file);
}

export interface PipelineOptions {
  channels: 1 | 3;
}

/** The pixels inside `box` (an exact copy). */
function crop(img: ByteImage, box: CropBox): ByteImage {
  const { channels } = img;
  const out = new Uint8Array(box.height * box.width * channels);
  const rowLength = box.width * channels;
  for (let y = 0; y < box.height; y++) {
    const from = ((box.top + y) * img.width + box.left) * channels;
    out.set(img.data.subarray(from, from + rowLength), y * rowLength);
  }
  return { data: out, height: box.height, width: box.width, channels };
}

function resize(img: ByteImage, [height, width]: [number, number]): ByteImage {
  return {
    data: resizeBilinearPil(img.data, img.height, img.width, img.channels, height, width),
    height,
    width,
    channels: img.channels,
  };
}

/** Draws a colour-jitter's factors and order as torchvision's ColorJitter.get_params, and applies them. */
function colorJitter(img: FloatImage, t: Extract<ImageTransformSpec, { type: 'color_jitter' }>, rng: Rng): FloatImage {
  const order = rng.permutation(4);
  const factor = (v: number | undefined) => (v ? rng.uniform(Math.max(0, 1 - v), 1 + v) : undefined);
  const b = factor(t.brightness);
  const c = factor(t.contrast);
  const s = factor(t.saturation);
  const h = t.hue ? rng.uniform(-t.hue, t.hue) : undefined;
  let out = img;
  for (const step of order) {
    if (step === 0 && b !== undefined) out = adjustBrightness(out, b);
    else if (step === 1 && c !== undefined) out = adjustContrast(out, c);
    else if (step === 2 && s !== undefined) out = adjustSaturation(out, s);
    else if (step === 3 && h !== undefined) out = adjustHue(out, h);
  }
  return out;
}

/** Decodes `file` and runs `transforms` on it (checked with `checkTransforms` by the caller); `rng` draws the random steps. */
export async function loadTransformedImage(
  file: string,
  transforms: readonly ImageTransformSpec[],
  rng: Rng,
  opts: PipelineOptions,
): Promise<FloatImage> {
  let bytes = await decodeToChannels(file, opts.channels);
  let img: FloatImage | undefined;
  for (const t of transforms) {
    if (t.type === 'resize') {
      bytes = resize(bytes, resizedSize(bytes.height, bytes.width, t.size));
    } else if (t.type === 'center_crop') {
      bytes = crop(bytes, centerCropBox(bytes.height, bytes.width, t.size));
    } else if (t.type === 'random_resized_crop') {
      bytes = resize(
        crop(bytes, randomResizedCropBox(bytes.height, bytes.width, rng, t.scale, t.ratio)),
        sizePair(t.size),
      );
    } else {
      img ??= {
        data: Float32Array.from(bytes.data, (v) => v / 255),
        height: bytes.height,
        width: bytes.width,
        channels: bytes.channels,
      };
      if (t.type === 'horizontal_flip') {
        if (rng.next() < (t.p ?? 0.5)) img = flipHorizontal(img);
      } else if (t.type === 'color_jitter') {
        img = colorJitter(img, t, rng);
      } else {
        img = normalizeInPlace(img, t.mean, t.std);
      }
    }
  }
  return (
    img ?? {
      data: Float32Array.from(bytes.data, (v) => v / 255),
      height: bytes.height,
      width: bytes.width,
      channels: bytes.channels,
    }
  );
}
