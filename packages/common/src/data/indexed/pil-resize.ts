// Bilinear resize of uint8 images exactly as Pillow does it (libImaging/Resample.c), which is what torchvision's
// Resize and RandomResizedCrop run on PIL images: a triangle filter widened by the scale when shrinking
// (antialiasing), pixel centres at +0.5, 22-bit fixed-point weights, a horizontal pass rounded to uint8, then a
// vertical one.

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

interface Coefficients {
  /** First input index of each output pixel. */
  start: Int32Array;
  /** Number of input pixels of each output pixel. */
  count: Int32Array;
  /** Fixed-point weights, `kernelSize` per output pixel. */
  weights: Float64Array;
  kernelSize: number;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter (support 1). */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * kernelSize);
  const k = new Float64Array(kernelSize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const d = Math.abs((x + xmin - center + 0.5) / filterScale);
      k[x] = d < 1 ? 1 - d : 0;
      total += k[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? k[x] / total : k[x];
      weights[xx * kernelSize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, kernelSize };
}

const clip8 = (ss: number) => {
  const v = Math.floor(ss / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * Resizes HWC uint8 pixels from [height, width] to [outHeight, outWidth] as Pillow's `Image.resize(..., BILINEAR)`.
 * A pass whose size does not change is skipped, as in Pillow.
 */
export function resizeBilinearPil(
  data: Uint8Array,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  let current = data;
  if (outWidth !== width) {
    const c = coefficients(width, outWidth);
    const out = new Uint8Array(height * outWidth * channels);
    for (let y = 0; y < height; y++) {
      for (let xx = 0; xx < outWidth; xx++) {
        for (let ch = 0; ch < channels; ch++) {
          let ss = ONE / 2;
          for (let x = 0; x < c.count[xx]; x++)
            ss += current[(y * width + c.start[xx] + x) * channels + ch] * c.weights[xx * c.kernelSize + x];
          out[(y * outWidth + xx) * channels + ch] = clip8(ss);
        }
      }
    }
    current = out;
  }
  if (outHeight !== height) {
    const c = coefficients(height, outHeight);
    const out = new Uint8Array(outHeight * outWidth * channels);
    for (let yy = 0; yy < outHeight; yy++) {
      for (let x = 0; x < outWidth; x++) {
        for (let ch = 0; ch < channels; ch++) {
          let ss = ONE / 2;
          for (let y = 0; y < c.count[yy]; y++)
            ss += current[((c.start[yy] + y) * outWidth + x) * channels + ch] * c.weights[yy * c.kernelSize + y];
          out[(yy * outWidth + x) * channels + ch] = clip8(ss);
        }
      }
    }
    current = out;
  }
  return current === data ? data.slice() : current;
}
