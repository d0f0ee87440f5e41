// A grid of images (a batch of samples, reconstructions, ...) as an exact PNG, like torchvision's make_grid.
import { Resvg } from '@resvg/resvg-js';
import {
  decodePng,
  encodePng,
  isPng,
  isTensorLike,
  toRasterImage,
  toRgba,
  type ImageInput,
  type RasterImage,
  type TensorLike,
} from '../raster';
import { plotFontFile, type Plot } from './render';
import { element, escapeXml, svgDocument } from './svg';

export interface ImageGridOptions {
  /** Images per row (default: min(8, count), torchvision's nrow). */
  cols?: number;
  /** Pixels between and around tiles (default 2). */
  padding?: number;
  /** Integer nearest-neighbour magnification (default 1). */
  upscale?: number;
  /** A caption under each tile. */
  labels?: string[];
  /** Scale each float image's own min..max to 0..1 (for normalised inputs); byte images are left as they are. */
  normalize?: boolean;
  /** Colour of padding and label strips (default white). */
  background?: [number, number, number];
}

const LABEL_HEIGHT = 14;

/** Splits an [N, H, W] or [N, H, W, C] batch into per-image inputs. */
function splitBatch(batch: TensorLike): ImageInput[] {
  const { shape, dtype } = batch;
  if (shape.length !== 3 && shape.length !== 4)
    throw new Error(`imageGrid: a tensor batch must be [N, H, W] or [N, H, W, C], got shape [${shape.join(', ')}]`);
  const [n, height, width, channels = 1] = shape;
  const data = batch.dataSync();
  const size = height * width * channels;
  return Array.from({ length: n }, (_, i) => {
    // int32 tensors hold bytes (clipped to 0..255); float tensors hold 0..1 values.
    const pixels = dtype === 'int32' ? new Uint8Array(size) : new Float64Array(size);
    for (let k = 0; k < size; k++) {
      const v = data[i * size + k];
      pixels[k] = dtype === 'int32' ? Math.max(0, Math.min(255, v)) : v;
    }
    return { data: pixels, width, height, channels };
  });
}

function minMaxNormalize(data: ArrayLike<number>): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < min) min = data[i];
    if (data[i] > max) max = data[i];
  }
  const range = max - min || 1;
  return Float64Array.from(data, (v) => (v - min) / range);
}

function toRaster(image: ImageInput, index: number, normalize: boolean): RasterImage {
  const what = `imageGrid: image ${index}`;
  if (image instanceof Uint8Array) {
    if (!isPng(image))
      throw new Error(`${what}: a byte array must be a PNG file; pass {data, width, height, channels} for raw pixels`);
    return decodePng(image);
  }
  if (
    normalize &&
    !isTensorLike(image) &&
    !(image.data instanceof Uint8Array) &&
    !(image.data instanceof Uint8ClampedArray)
  ) {
    return toRasterImage({ ...image, data: minMaxNormalize(image.data) }, what);
  }
  if (normalize && isTensorLike(image) && image.dtype !== 'int32') {
    const [height, width, channels = 1] = image.shape;
    return toRasterImage({ data: minMaxNormalize(image.dataSync()), width, height, channels }, what);
  }
  return toRasterImage(image, what);
}

/** Renders the captions with resvg on a transparent canvas and blends them into `rgba` (they only touch label strips). */
function drawLabels(
  rgba: Uint8Array,
  width: number,
  height: number,
  captions: Array<{ x: number; y: number; text: string }>,
): void {
  const font = plotFontFile();
  if (!font) return; // no font on this machine: the grid is still exact, only without captions
  const texts = captions.map((c) =>
    element(
      'text',
      { x: c.x, y: c.y, 'text-anchor': 'middle', 'dominant-baseline': 'central', 'font-size': 10 },
      escapeXml(c.text),
    ),
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${texts.join('')}</svg>`;
  const overlay = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [font] }, logLevel: 'off' }).render();
  const pixels = overlay.pixels; // RGBA, premultiplied black text: colour 0, coverage in alpha
  for (let i = 0; i < width * height; i++) {
    const a = pixels[4 * i + 3] / 255;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = Math.round(rgba[4 * i + c] * (1 - a) + pixels[4 * i + c]);
  }
}

export function imageGrid(images: ImageInput[] | TensorLike, options: ImageGridOptions = {}): Plot {
  const inputs = isTensorLike(images) ? splitBatch(images) : images;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new Error('imageGrid: no images');
  const { padding = 2, upscale = 1, labels, normalize = false, background = [255, 255, 255] } = options;
  const cols = options.cols ?? Math.min(8, inputs.length);
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`imageGrid: cols must be a positive integer, got ${cols}`);
  if (!Number.isInteger(upscale) || upscale < 1)
    throw new Error(`imageGrid: upscale must be a positive integer, got ${upscale}`);
  if (!Number.isInteger(padding) || padding < 0)
    throw new Error(`imageGrid: padding must be a non-negative integer, got ${padding}`);
  if (labels && labels.length !== inputs.length)
    throw new Error(`imageGrid: ${labels.length} labels for ${inputs.length} images`);

  const rasters = inputs.map((image, i) => toRaster(image, i, normalize));
  const tileW = Math.max(...rasters.map((r) => r.width)) * upscale;
  const tileH = Math.max(...rasters.map((r) => r.height)) * upscale;
  const labelH = labels ? LABEL_HEIGHT : 0;
  const rows = Math.ceil(rasters.length / cols);
  const width = cols * tileW + (cols + 1) * padding;
  const height = rows * (tileH + labelH) + (rows + 1) * padding;

  const out = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) out.set([...background, 255], 4 * p);
  const captions: Array<{ x: number; y: number; text: string }> = [];
  rasters.forEach((raster, i) => {
    const x0 = padding + (i % cols) * (tileW + padding);
    const y0 = padding + Math.floor(i / cols) * (tileH + labelH + padding);
    // Smaller images are centred in their tile.
    const ox = x0 + Math.floor((tileW - raster.width * upscale) / 2);
    const oy = y0 + Math.floor((tileH - raster.height * upscale) / 2);
    const rgba = toRgba(raster);
    for (let y = 0; y < raster.height * upscale; y++) {
      for (let x = 0; x < raster.width * upscale; x++) {
        const s = 4 * (Math.floor(y / upscale) * raster.width + Math.floor(x / upscale));
        out.set(rgba.subarray(s, s + 4), 4 * ((oy + y) * width + ox + x));
      }
    }
    if (labels) captions.push({ x: x0 + tileW / 2, y: y0 + tileH + labelH / 2, text: labels[i] });
  });
  if (captions.length) drawLabels(out, width, height, captions);

  const png = encodePng({ data: out, width, height, channels: 4 });
  const svg = svgDocument(
    width,
    height,
    element('image', {
      x: 0,
      y: 0,
      width,
      height,
      href: `data:image/png;base64,${png.toString('base64')}`,
      style: 'image-rendering:pixelated',
    }),
  );
  return { svg, width, height, png };
}
