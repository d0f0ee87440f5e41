// Raster images as plain bytes, conversion from the inputs callers hold (tensors, float arrays, PNG bytes)
// and PNG encoding. Shared by the TensorBoard writer and the image grids.
import { PNG } from 'pngjs';

/** Row-major HWC pixels, one byte per channel: 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA. */
export interface RasterImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * Pixels before conversion. `Uint8Array`/`Uint8ClampedArray` data are bytes (0..255); any other numeric data are
 * floats in [0, 1] (scaled by 255 and clipped), the convention of torch's `add_image`.
 */
export interface RawImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
}

/** The part of a tf.Tensor this module reads (no runtime dependency on tfjs). */
export interface TensorLike {
  shape: number[];
  dtype: string;
  dataSync(): ArrayLike<number>;
}

/** PNG bytes, an HWC (or HW) tensor (int32: 0..255, float32: 0..1), or raw pixels. */
export type ImageInput = Uint8Array | TensorLike | RawImage;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Width, height and channel count from a PNG's IHDR chunk (palette images count as RGB). */
export function pngInfo(bytes: Uint8Array): { width: number; height: number; channels: number } {
  if (!isPng(bytes) || bytes.length < 33)
    throw new Error('not a PNG: the bytes do not start with the PNG signature and an IHDR chunk');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const colorType = bytes[25];
  const channels = ({ 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (channels === undefined) throw new Error(`PNG has an invalid colour type ${colorType} (expected 0, 2, 3, 4 or 6)`);
  return { width: view.getUint32(16), height: view.getUint32(20), channels };
}

/** A tfjs tensor (or anything with its shape and dataSync), told apart from raw pixel inputs. */
export function isTensorLike(x: unknown): x is TensorLike {
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray((x as TensorLike).shape) &&
    typeof (x as TensorLike).dataSync === 'function'
  );
}

function checkSize(what: string, width: number, height: number, channels: number, length: number): void {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new Error(`${what}: width and height must be positive integers, got ${width}x${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`${what}: channels must be 1, 2, 3 or 4, got ${channels}`);
  if (length !== width * height * channels) {
    throw new Error(
      `${what}: data has ${length} values, expected width*height*channels = ${width}*${height}*${channels} = ${width * height * channels}`,
    );
  }
}

function toBytes(data: ArrayLike<number>, isFloat: boolean): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const out = new Uint8Array(data.length);
  const scale = isFloat ? 255 : 1;
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(data[i] * scale);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : Number.isNaN(v) ? 0 : v;
  }
  return out;
}

/** Converts any non-PNG image input to bytes; `what` names the caller in errors. */
export function toRasterImage(input: TensorLike | RawImage, what = 'image'): RasterImage {
  if (isTensorLike(input)) {
    const { shape, dtype } = input;
    if (shape.length !== 2 && shape.length !== 3)
      throw new Error(`${what}: expected an HWC or HW tensor, got shape [${shape.join(', ')}]`);
    const [height, width, channels = 1] = shape;
    const data = input.dataSync();
    checkSize(what, width, height, channels, data.length);
    return { data: toBytes(data, dtype !== 'int32' && dtype !== 'bool'), width, height, channels };
  }
  const { data, width, height, channels } = input;
  if (!data || typeof data.length !== 'number')
    throw new Error(`${what}: expected {data, width, height, channels}, PNG bytes or an HWC tensor`);
  checkSize(what, width, height, channels, data.length);
  const isBytes = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
  return {
    data: isBytes ? new Uint8Array(data.buffer, data.byteOffset, data.length) : toBytes(data, true),
    width,
    height,
    channels,
  };
}

/** Expands 1-4 channel pixels to RGBA (grey → R=G=B, missing alpha → 255). */
export function toRgba(image: RasterImage): Uint8Array {
  const { data, width, height, channels } = image;
  const out = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const d = p * 4;
    if (channels <= 2) {
      out[d] = out[d + 1] = out[d + 2] = data[s];
      out[d + 3] = channels === 2 ? data[s + 1] : 255;
    } else {
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
      out[d + 3] = channels === 4 ? data[s + 3] : 255;
    }
  }
  return out;
}

/** PNG bytes keeping the channel layout (grey, grey+alpha, RGB or RGBA). */
export function encodePng(image: RasterImage): Buffer {
  const colorType = ({ 1: 0, 2: 4, 3: 2, 4: 6 } as Record<number, 0 | 2 | 4 | 6>)[image.channels];
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(toRgba(image));
  return PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true });
}

/** Decodes PNG bytes to RGBA pixels. */
export function decodePng(bytes: Uint8Array): RasterImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return {
    data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
    width: png.width,
    height: png.height,
    channels: 4,
  };
}

/** PNG bytes and their size for any image input (PNG bytes pass through unchanged). */
export function imageInputToPng(
  input: ImageInput,
  what = 'image',
): { png: Uint8Array; width: number; height: number; channels: number } {
  if (input instanceof Uint8Array) {
    if (!isPng(input))
      throw new Error(
        `${what}: a byte array must be a PNG file (it does not start with the PNG signature); pass {data, width, height, channels} for raw pixels`,
      );
    return { png: input, ...pngInfo(input) };
  }
  const raster = toRasterImage(input, what);
  return { png: encodePng(raster), width: raster.width, height: raster.height, channels: raster.channels };
}
