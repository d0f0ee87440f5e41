// Per-image pixel operations on float HWC images in [0, 1], with torchvision's tensor formulas
// (torchvision.transforms.functional_tensor, 0.14): flip, brightness, contrast, saturation, hue, normalise.

/** One image: `data` holds height x width x channels floats, row-major HWC. */
export interface FloatImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Mirrors left-right (torchvision hflip). */
export function flipHorizontal(img: FloatImage): FloatImage {
  const { data, height, width, channels } = img;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      const to = (y * width + (width - 1 - x)) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c];
    }
  }
  return { ...img, data: out };
}

/** torchvision's luma: 0.2989 R + 0.587 G + 0.114 B (a one-channel image is its own grey). */
function grey(data: Float32Array, p: number, channels: number): number {
  return channels === 3 ? 0.2989 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
}

/** `clamp(f x + (1 - f) other)` for every value, `other` given per pixel offset. */
function blend(img: FloatImage, factor: number, other: (pixel: number) => number): FloatImage {
  const { data, channels } = img;
  const out = new Float32Array(data.length);
  for (let p = 0; p < data.length; p += channels) {
    const o = (1 - factor) * other(p);
    for (let c = 0; c < channels; c++) out[p + c] = clamp01(factor * data[p + c] + o);
  }
  return { ...img, data: out };
}

/** adjust_brightness: blend with black. */
export function adjustBrightness(img: FloatImage, factor: number): FloatImage {
  return blend(img, factor, () => 0);
}

/** adjust_contrast: blend with the mean grey level of the whole image. */
export function adjustContrast(img: FloatImage, factor: number): FloatImage {
  let sum = 0;
  for (let p = 0; p < img.data.length; p += img.channels) sum += Math.fround(grey(img.data, p, img.channels));
  const mean = sum / (img.height * img.width);
  return blend(img, factor, () => mean);
}

/** adjust_saturation: blend with the grey image; a no-op on one channel (as torchvision, to match PIL). */
export function adjustSaturation(img: FloatImage, factor: number): FloatImage {
  if (img.channels === 1) return img;
  return blend(img, factor, (p) => Math.fround(grey(img.data, p, 3)));
}

/** adjust_hue: rotate the hue by `shift` turns (in [-0.5, 0.5]) in HSV; a no-op on one channel. */
export function adjustHue(img: FloatImage, shift: number): FloatImage {
  if (!(shift >= -0.5 && shift <= 0.5)) throw new Error(`adjustHue: the shift must be in [-0.5, 0.5], got ${shift}`);
  if (img.channels === 1) return img;
  const { data } = img;
  const out = new Float32Array(data.length);
  for (let p = 0; p < data.length; p += 3) {
    const [r, g, b] = [data[p], data[p + 1], data[p + 2]];
    // _rgb2hsv
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const eqc = maxc === minc;
    const cr = maxc - minc;
    const s = cr / (eqc ? 1 : maxc);
    const divisor = eqc ? 1 : cr;
    const rc = (maxc - r) / divisor;
    const gc = (maxc - g) / divisor;
    const bc = (maxc - b) / divisor;
    let h: number;
    if (maxc === r) h = bc - gc;
    else if (maxc === g) h = 2 + rc - bc;
    else h = 4 + gc - rc;
    h = (h / 6 + 1) % 1;
    h = (((h + shift) % 1) + 1) % 1; // Python's % (non-negative)
    // _hsv2rgb
    const i6 = Math.floor(h * 6);
    const f = h * 6 - i6;
    const v = maxc;
    const pp = clamp01(v * (1 - s));
    const q = clamp01(v * (1 - s * f));
    const t = clamp01(v * (1 - s * (1 - f)));
    const rgb = [
      [v, t, pp],
      [q, v, pp],
      [pp, v, t],
      [pp, q, v],
      [t, pp, v],
      [v, pp, q],
    ][((i6 % 6) + 6) % 6];
    out[p] = rgb[0];
    out[p + 1] = rgb[1];
    out[p + 2] = rgb[2];
  }
  return { ...img, data: out };
}

/** `(x - mean[c]) / std[c]` in place. */
export function normalizeInPlace(img: FloatImage, mean: readonly number[], std: readonly number[]): FloatImage {
  const { data, channels } = img;
  if (mean.length !== channels || std.length !== channels) {
    throw new Error(
      `normalize: mean and std need ${channels} values each (one per channel), got ${mean.length} and ${std.length}`,
    );
  }
  for (let p = 0; p < data.length; p += channels)
    for (let c = 0; c < channels; c++) data[p + c] = (data[p + c] - mean[c]) / std[c];
  return img;
}
