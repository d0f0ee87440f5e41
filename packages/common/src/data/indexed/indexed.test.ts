import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import golden from '../../../scripts/golden/indexed_images.json';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SAMPLE_DIR, readIdxImageFolder } from '../datasets';
import { writeImageFolder } from '../image-export';
import { createRng } from '../../random';
import {
  IndexedImageDataset,
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  centerCropBox,
  computeChannelStats,
  loadTransformedImage,
  randomResizedCropBox,
  resizeBilinearPil,
  resizedSize,
  type FloatImage,
} from '.';

/** The pattern of the golden script: ((y * w + x) * 37 + k * 11) % modulus. */
function pattern(h: number, w: number, c: number, modulus: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out.push(((y * w + x) * 37 + k * 11) % modulus);
  return out;
}

async function writePng(file: string, h: number, w: number, c: 1 | 3, values: number[]): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const image = sharp(Buffer.from(values), { raw: { width: w, height: h, channels: c } });
  await (c === 1 ? image.toColourspace('b-w') : image).png().toFile(file);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('pixel operations equal torchvision 0.14 (functional_tensor)', () => {
  const ops = { brightness: adjustBrightness, contrast: adjustContrast, saturation: adjustSaturation, hue: adjustHue };
  it.each(golden.colour.map((c) => [c.op, c.factor, c.channels, c.output] as const))(
    '%s %p on %i channel(s)',
    (op, factor, channels, output) => {
      const img: FloatImage = {
        data: Float32Array.from(pattern(5, 7, channels, 101), (v) => v / 100),
        height: 5,
        width: 7,
        channels,
      };
      const out = ops[op as keyof typeof ops](img, factor);
      expect(maxDiff(out.data, output)).toBeLessThan(2e-6);
    },
  );
});

describe('geometry as torchvision', () => {
  it('Resize(int) sizes and CenterCrop offsets (Python rounding) match', () => {
    for (const c of golden.sizes) {
      if (c.op === 'resize') expect(resizedSize(c.input[0], c.input[1], c.size)).toEqual(c.output);
      else
        expect(centerCropBox(c.input[0], c.input[1], c.size)).toEqual({
          top: c.top,
          left: c.left,
          height: c.size,
          width: c.size,
        });
    }
    expect(() => centerCropBox(3, 3, 4)).toThrow('center crop 4x4 is larger than the 3x3 image');
  });

  it('random resized crop draws boxes inside the image within scale and ratio, and falls back to the central crop', () => {
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) {
      const box = randomResizedCropBox(60, 80, rng);
      expect(box.top + box.height).toBeLessThanOrEqual(60);
      expect(box.left + box.width).toBeLessThanOrEqual(80);
      // Rounding each side to an integer moves the area and ratio a little beyond the drawn values.
      expect(box.height * box.width).toBeGreaterThanOrEqual(0.08 * 4800 * 0.8);
      expect(box.width / box.height).toBeGreaterThan((3 / 4) * 0.85);
      expect(box.width / box.height).toBeLessThan(4 / 3 / 0.85);
    }
    // An area fraction > 1 never fits: after 10 attempts the centre crop with the ratio clamped to 4/3.
    expect(randomResizedCropBox(10, 40, createRng(0), [2, 3])).toEqual({ top: 0, left: 13, height: 10, width: 13 });
    expect(randomResizedCropBox(40, 10, createRng(0), [2, 3])).toEqual({ top: 13, left: 0, height: 13, width: 10 });
    expect(randomResizedCropBox(20, 22, createRng(0), [2, 3])).toEqual({ top: 0, left: 0, height: 20, width: 22 });
  });
});

describe('IndexedImageDataset', () => {
  let tmp: string;
  let dataDir: string;
  const testSplit = readIdxImageFolder(FASHION_MNIST_SAMPLE_DIR, 'test', FASHION_MNIST_CLASSES);
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'indexed-'));
    dataDir = path.join(tmp, 'fmnist');
    await writeImageFolder(path.join(dataDir, 'raw'), [{ split: 'test', dataset: testSplit }], {
      classNames: FASHION_MNIST_CLASSES,
      perClass: 12,
    });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const allFiles = () =>
    fs
      .readdirSync(path.join(dataDir, 'raw'))
      .sort()
      .flatMap((c) =>
        fs
          .readdirSync(path.join(dataDir, 'raw', c))
          .sort()
          .map((f) => `raw/${c}/${f}`),
      );

  it('yields normalised NHWC float32 batches with ImageFolder labels, exact to the pixels', async () => {
    const files = allFiles().slice(0, 30);
    fs.writeFileSync(path.join(tmp, 'list.txt'), files.join('\n') + '\n');
    const mean = [0.3];
    const std = [0.4];
    const ds = new IndexedImageDataset({
      dataDir,
      index: path.join(tmp, 'list.txt'),
      channels: 1,
      batchSize: 8,
      shuffle: false,
      transforms: [
        { type: 'resize', size: [28, 28] },
        { type: 'normalize', mean, std },
      ],
    });
    expect(ds.classes).toEqual([
      'Ankle_boot',
      'Bag',
      'Coat',
      'Dress',
      'Pullover',
      'Sandal',
      'Shirt',
      'Sneaker',
      'T-shirt_top',
      'Trouser',
    ]);
    expect(ds.batchesPerEpoch).toBe(4);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    let row = 0;
    for await (const batch of ds.batches(0)) {
      expect(batch.x.dtype).toBe('float32');
      expect(batch.y.dtype).toBe('int32');
      const x = batch.x.dataSync();
      const y = Array.from(batch.y.dataSync());
      seen.push(...y);
      for (let j = 0; j < y.length; j++, row++) {
        const index = Number(/test_(\d+)\.png$/.exec(files[row])![1]);
        expect(ds.classes[y[j]]).toBe(files[row].split('/')[1]);
        const expected = Array.from(testSplit.image(index), (v) => (v / 255 - 0.3) / 0.4);
        expect(maxDiff(x.subarray(j * 784, (j + 1) * 784), expected)).toBeLessThan(1e-6);
      }
      tf.dispose(batch);
    }
    expect(seen).toHaveLength(30);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shuffles by (seed, epoch) and replays the same random transforms', async () => {
    const opts = {
      dataDir,
      index: allFiles(),
      channels: 3 as const,
      batchSize: 16,
      seed: 5,
      transforms: [
        { type: 'random_resized_crop' as const, size: 20 },
        { type: 'horizontal_flip' as const },
        { type: 'color_jitter' as const, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
      ],
    };
    const first = async (ds: IndexedImageDataset, epoch: number) => {
      for await (const batch of ds.batches(epoch)) {
        const out = { x: Array.from(batch.x.dataSync()), y: Array.from(batch.y.dataSync()), shape: batch.x.shape };
        tf.dispose(batch);
        return out;
      }
      throw new Error('no batch');
    };
    const a = await first(new IndexedImageDataset(opts), 1);
    expect(a.shape).toEqual([16, 20, 20, 3]);
    expect(await first(new IndexedImageDataset({ ...opts, concurrency: 1 }), 1)).toEqual(a);
    expect((await first(new IndexedImageDataset(opts), 2)).x).not.toEqual(a.x);
  });

  it('a data-parallel shard decodes its rows of every batch alone: the shards of 3 ranks make up each batch', async () => {
    const opts = {
      dataDir,
      index: allFiles().slice(0, 37),
      channels: 1 as const,
      batchSize: 16,
      seed: 9,
      transforms: [{ type: 'random_resized_crop' as const, size: 12 }, { type: 'horizontal_flip' as const }],
    };
    const collect = async (source: { batches(e: number): AsyncIterable<Record<string, tf.Tensor>> }) => {
      const out: { x: number[]; y: number[] }[] = [];
      for await (const batch of source.batches(1)) {
        out.push({ x: Array.from(batch.x.dataSync()), y: Array.from(batch.y.dataSync()) });
        tf.dispose(batch);
      }
      return out;
    };
    const ds = new IndexedImageDataset(opts);
    const whole = await collect(ds);
    const shards = await Promise.all([0, 1, 2].map((r) => collect(ds.shard(r, 3))));
    expect(whole.map((b) => b.y.length)).toEqual([16, 16, 5]);
    expect(shards.map((s) => s.map((b) => b.y.length))).toEqual([
      [5, 5, 1],
      [5, 5, 2],
      [6, 6, 2],
    ]);
    whole.forEach((batch, k) => {
      expect(shards.flatMap((s) => s[k].y)).toEqual(batch.y);
      expect(shards.flatMap((s) => s[k].x)).toEqual(batch.x); // the same random crops and flips as the whole batch's
    });
    expect(ds.shard(1, 3).batchesPerEpoch).toBe(3);
    expect(() => ds.shard(3, 3)).toThrow('expected 0 <= rank < worldSize, got rank 3 of 3');
  });

  it('crops exactly, and its random resized crop is the drawn box resized', async () => {
    const file = path.join(tmp, 'rgb', 'raw', 'a', 'p.png');
    const values = pattern(29, 37, 3, 256);
    await writePng(file, 29, 37, 3, values);
    const centre = await loadTransformedImage(file, [{ type: 'center_crop', size: 12 }], createRng(0), { channels: 3 });
    const expected: number[] = [];
    for (let y = 8; y < 20; y++)
      for (let x = 12; x < 24; x++) for (let k = 0; k < 3; k++) expected.push(values[(y * 37 + x) * 3 + k] / 255);
    expect(maxDiff(centre.data, expected)).toBeLessThan(1e-7);

    const rrc = await loadTransformedImage(file, [{ type: 'random_resized_crop', size: [10, 14] }], createRng(9), {
      channels: 3,
    });
    const box = randomResizedCropBox(29, 37, createRng(9));
    const cropped = await loadTransformedImage(file, [{ type: 'center_crop', size: 29 }], createRng(0), {
      channels: 3,
    });
    expect(cropped.width).toBe(29);
    const boxPixels: number[] = [];
    for (let y = box.top; y < box.top + box.height; y++) {
      for (let x = box.left; x < box.left + box.width; x++)
        for (let k = 0; k < 3; k++) boxPixels.push(values[(y * 37 + x) * 3 + k]);
    }
    const resized = resizeBilinearPil(Uint8Array.from(boxPixels), box.height, box.width, 3, 10, 14);
    expect(
      maxDiff(
        rrc.data,
        Array.from(resized, (v) => v / 255),
      ),
    ).toBeLessThan(1e-7);
  });

  it("resizes exactly as Pillow's bilinear (antialiased) resize, shrinking and enlarging", async () => {
    for (const c of golden.resize) {
      const [h, w, ch] = c.input;
      const file = path.join(tmp, `resize-${h}-${w}-${ch}.png`);
      await writePng(file, h, w, ch as 1 | 3, pattern(h, w, ch, 256));
      const out = await loadTransformedImage(
        file,
        [{ type: 'resize', size: c.size as [number, number] }],
        createRng(0),
        { channels: ch as 1 | 3 },
      );
      expect([out.height, out.width, out.channels]).toEqual([...c.size, ch]);
      expect(
        maxDiff(
          Array.from(out.data, (v) => Math.round(v * 255)),
          c.output,
        ),
      ).toBe(0);
    }
  });

  it('replicates grey into 3 channels on request', async () => {
    const file = path.join(dataDir, allFiles()[0]);
    const grey = await loadTransformedImage(file, [], createRng(0), { channels: 1 });
    const rgb = await loadTransformedImage(file, [], createRng(0), { channels: 3 });
    expect(rgb.data.filter((_, i) => i % 3 === 1)).toEqual(grey.data);
  });

  it("computes per-channel mean and std equal to numpy's", async () => {
    const grey = await computeChannelStats(dataDir, allFiles(), { channels: 1 });
    expect(grey.pixels).toBe(120 * 784);
    expect(grey.mean[0]).toBeCloseTo(golden.channel_stats.mean, 12);
    expect(grey.std[0]).toBeCloseTo(golden.channel_stats.std, 12);
    const rgb = await computeChannelStats(dataDir, allFiles(), { channels: 3 });
    for (let k = 0; k < 3; k++) expect(rgb.std[k]).toBeCloseTo(golden.channel_stats.std, 12);
  });

  it('rejects bad index entries, transform lists and undecodable images by name', async () => {
    const base = {
      dataDir,
      channels: 1 as const,
      batchSize: 2,
      transforms: [
        { type: 'resize' as const, size: 28 as number },
        { type: 'center_crop' as const, size: 28 },
      ],
    };
    expect(() => new IndexedImageDataset({ ...base, index: ['raw/Bag/x.png', 'raw/Cat/y.png'] })).toThrow(
      "entry 2 'raw/Cat/y.png' is not raw/<class>/<image> with a class among Ankle_boot",
    );
    expect(
      () => new IndexedImageDataset({ ...base, index: ['x'], transforms: [{ type: 'resize', size: 28 }] }),
    ).toThrow(/fixed size/);
    expect(
      () =>
        new IndexedImageDataset({
          ...base,
          index: ['x'],
          transforms: [
            { type: 'normalize', mean: [0], std: [1] },
            { type: 'center_crop', size: 3 },
          ],
        }),
    ).toThrow('transforms[1]: center_crop must come before normalize');
    expect(
      () =>
        new IndexedImageDataset({
          ...base,
          index: ['x'],
          transforms: [
            { type: 'center_crop', size: 3 },
            { type: 'color_jitter', hue: 0.7 },
          ],
        }),
    ).toThrow('transforms[1].hue: expected a number in [0, 0.5], got 0.7');
    fs.writeFileSync(path.join(dataDir, 'raw', 'Bag', 'bad.png'), 'nope');
    const ds = new IndexedImageDataset({ ...base, index: ['raw/Bag/bad.png'] });
    const drain = async () => {
      for await (const batch of ds.batches(0)) tf.dispose(batch);
    };
    await expect(drain()).rejects.toThrow(/cannot decode .*raw\/Bag\/bad\.png/);
    fs.rmSync(path.join(dataDir, 'raw', 'Bag', 'bad.png'));
  });
});
