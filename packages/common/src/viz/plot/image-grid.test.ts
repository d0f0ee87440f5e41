import { PNG } from 'pngjs';
import { imageGrid } from './image-grid';
import { plotFontFile } from './render';

const pixel = (png: PNG, x: number, y: number) => [
  ...png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 4),
];

/** A 2x3 grey image whose pixel (x, y) is 10 * (image index + 1) + 3 * y + x. */
function grey(index: number) {
  return {
    data: Uint8Array.from({ length: 6 }, (_, p) => 10 * (index + 1) + 3 * Math.floor(p / 2) + (p % 2)),
    width: 2,
    height: 3,
    channels: 1,
  };
}

describe('imageGrid', () => {
  it('places tiles row by row with padding and nearest-neighbour upscaling', () => {
    const grid = imageGrid([0, 1, 2, 3, 4].map(grey), { cols: 3, padding: 1, upscale: 2 });
    const png = PNG.sync.read(grid.png!);
    // 3 columns of 4-px tiles and 2 rows of 6-px tiles, with 1 px around and between.
    expect([png.width, png.height]).toEqual([3 * 4 + 4, 2 * 6 + 3]);
    expect([grid.width, grid.height]).toEqual([16, 15]);
    expect(pixel(png, 0, 0)).toEqual([255, 255, 255, 255]); // padding
    expect(pixel(png, 1, 1)).toEqual([10, 10, 10, 255]); // image 0, pixel (0, 0)
    expect(pixel(png, 2, 2)).toEqual([10, 10, 10, 255]); // same source pixel, upscaled
    expect(pixel(png, 3, 1)).toEqual([11, 11, 11, 255]); // image 0, pixel (1, 0)
    expect(pixel(png, 1, 5)).toEqual([16, 16, 16, 255]); // image 0, pixel (0, 2)
    expect(pixel(png, 6, 1)).toEqual([20, 20, 20, 255]); // image 1 starts at x = 1 + 4 + 1
    expect(pixel(png, 6 + 3, 8 + 5)).toEqual([57, 57, 57, 255]); // image 4 (row 1, col 1, at 6, 8), pixel (1, 2)
    expect(pixel(png, 11, 8)).toEqual([255, 255, 255, 255]); // the empty sixth tile
  });

  it('splits an [N, H, W, C] float batch (0..1) and converts to bytes', () => {
    const batch = {
      shape: [2, 1, 2, 3],
      dtype: 'float32',
      dataSync: () => Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5]),
    };
    const png = PNG.sync.read(imageGrid(batch, { padding: 0 }).png!);
    expect([png.width, png.height]).toEqual([4, 1]);
    expect([0, 1, 2, 3].map((x) => pixel(png, x, 0))).toEqual([
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [128, 128, 128, 255],
    ]);
  });

  it('stretches float images to 0..255 with normalize', () => {
    const image = { data: Float32Array.from([-2, 0, 2]), width: 3, height: 1, channels: 1 };
    const png = PNG.sync.read(imageGrid([image], { padding: 0, normalize: true }).png!);
    expect([0, 1, 2].map((x) => pixel(png, x, 0)[0])).toEqual([0, 128, 255]);
  });

  it('writes captions in strips under the tiles without touching tile pixels', () => {
    const plain = PNG.sync.read(imageGrid([grey(0), grey(1)], { upscale: 8 }).png!);
    const captioned = PNG.sync.read(imageGrid([grey(0), grey(1)], { upscale: 8, labels: ['Bag', 'Coat'] }).png!);
    expect(captioned.height).toBe(plain.height + 14);
    for (let y = 0; y < 2 + 24; y++)
      for (let x = 0; x < plain.width; x++) expect(pixel(captioned, x, y)).toEqual(pixel(plain, x, y));
    let dark = 0;
    for (let y = 2 + 24; y < captioned.height; y++)
      for (let x = 0; x < captioned.width; x++) if (pixel(captioned, x, y)[0] < 128) dark++;
    expect(dark > 0).toBe(plotFontFile() !== null);
  });

  it('embeds the same PNG in its SVG', () => {
    const grid = imageGrid([grey(0)]);
    expect(grid.svg).toContain(`data:image/png;base64,${grid.png!.toString('base64')}`);
  });

  it('rejects bad options and inputs with the reason', () => {
    expect(() => imageGrid([])).toThrow('imageGrid: no images');
    expect(() => imageGrid([grey(0)], { upscale: 1.5 })).toThrow('upscale must be a positive integer, got 1.5');
    expect(() => imageGrid([grey(0)], { labels: ['a', 'b'] })).toThrow('2 labels for 1 images');
    expect(() => imageGrid([{ data: new Uint8Array(3), width: 2, height: 2, channels: 1 }])).toThrow(
      'imageGrid: image 0: data has 3 values',
    );
    expect(() => imageGrid({ shape: [2, 2], dtype: 'float32', dataSync: () => new Float32Array(4) })).toThrow(
      '[N, H, W] or [N, H, W, C]',
    );
  });
});
