import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import {
  decodeImageBatch,
  decodeImageFile,
  ImageFolderSource,
  listImageFolder,
  loadImageFolderDataset,
} from './image-folder';

type Rgba = [number, number, number, number];

/** Writes a PNG whose pixel (y, x) is `pixel(y, x)`; colorType 0 grey, 2 RGB, 6 RGBA. */
function writePng(
  file: string,
  height: number,
  width: number,
  pixel: (y: number, x: number) => Rgba,
  colorType: 0 | 2 | 6 = 2,
): void {
  const png = new PNG({ width, height, colorType, inputColorType: 6, inputHasAlpha: true });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) png.data.set(pixel(y, x), (y * width + x) * 4);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true }));
}

const solid =
  (r: number, g: number, b: number): (() => Rgba) =>
  () => [r, g, b, 255];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-folder-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('listImageFolder', () => {
  let root: string;
  beforeAll(() => {
    root = path.join(dir, 'train');
    writePng(path.join(root, 'b_cat', 'img2.png'), 2, 2, solid(1, 1, 1));
    writePng(path.join(root, 'b_cat', 'IMG1.PNG'), 2, 2, solid(2, 2, 2));
    writePng(path.join(root, 'b_cat', 'sub', 'a.png'), 2, 2, solid(3, 3, 3));
    writePng(path.join(root, 'b_cat', 'sub-x', 'a.png'), 2, 2, solid(4, 4, 4));
    writePng(path.join(root, 'b_cat', 'sub', 'deep', 'd.png'), 2, 2, solid(4, 4, 4));
    fs.writeFileSync(path.join(root, 'b_cat', 'notes.txt'), 'not an image');
    writePng(path.join(root, 'a_dog', 'z.png'), 2, 2, solid(5, 5, 5));
    writePng(path.join(root, 'Zebra', 'x.png'), 2, 2, solid(6, 6, 6));
    fs.writeFileSync(path.join(root, 'README'), 'a file at the top is not a class');
  });

  it('sorts classes and files as torchvision ImageFolder does', () => {
    const index = listImageFolder(root);
    // Code-point order: upper case before lower case.
    expect(index.classes).toEqual(['Zebra', 'a_dog', 'b_cat']);
    expect(index.classToIdx).toEqual({ Zebra: 0, a_dog: 1, b_cat: 2 });
    // sorted(os.walk(...)) orders directories by path, not depth first: 'b_cat/sub-x' < 'b_cat/sub/deep' as '-' is
    // 0x2d and '/' 0x2f. Within a directory files go by name ('IMG1.PNG' < 'img2.png'); .txt is skipped.
    expect(index.files.map((f) => path.relative(root, f))).toEqual([
      path.join('Zebra', 'x.png'),
      path.join('a_dog', 'z.png'),
      path.join('b_cat', 'IMG1.PNG'),
      path.join('b_cat', 'img2.png'),
      path.join('b_cat', 'sub', 'a.png'),
      path.join('b_cat', 'sub-x', 'a.png'),
      path.join('b_cat', 'sub', 'deep', 'd.png'),
    ]);
    expect(Array.from(index.labels)).toEqual([0, 1, 2, 2, 2, 2, 2]);
    expect(index.root).toBe(path.resolve(root));
  });

  it('says which class folder has no image', () => {
    const bad = path.join(dir, 'bad');
    writePng(path.join(bad, 'full', 'a.png'), 1, 1, solid(0, 0, 0));
    fs.mkdirSync(path.join(bad, 'empty'));
    fs.writeFileSync(path.join(bad, 'empty', 'a.txt'), '');
    expect(() => listImageFolder(bad)).toThrow(/found no image in the class folders empty of .*bad/);
  });

  it('rejects a missing root and a root without class folders', () => {
    expect(() => listImageFolder(path.join(dir, 'nope'))).toThrow(/nope is not a directory/);
    const flat = path.join(dir, 'flat');
    writePng(path.join(flat, 'a.png'), 1, 1, solid(0, 0, 0));
    expect(() => listImageFolder(flat)).toThrow(/found no class folder in .*flat/);
  });
});

describe('decodeImageFile', () => {
  const pattern = (y: number, x: number): Rgba => [10 * y + x, 100 + y, 200 - x, 255];

  it('returns the exact pixels in HWC order without resizing', async () => {
    const file = path.join(dir, 'rgb.png');
    writePng(file, 3, 4, pattern);
    const img = await decodeImageFile(file, { channels: 3 });
    expect([img.height, img.width, img.channels]).toEqual([3, 4, 3]);
    const expected: number[] = [];
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) expected.push(...pattern(y, x).slice(0, 3));
    expect(Array.from(img.data)).toEqual(expected);
  });

  it('drops alpha, replicates grey to RGB, and reads grey as one channel', async () => {
    const rgba = path.join(dir, 'rgba.png');
    writePng(rgba, 1, 2, (_y, x) => [x ? 50 : 40, 60, 70, x ? 0 : 128], 6);
    expect(Array.from((await decodeImageFile(rgba, { channels: 3 })).data)).toEqual([40, 60, 70, 50, 60, 70]);
    const grey = path.join(dir, 'grey.png');
    writePng(grey, 1, 3, (_y, x) => [30 * x, 30 * x, 30 * x, 255], 0);
    expect(Array.from((await decodeImageFile(grey, { channels: 3 })).data)).toEqual([0, 0, 0, 30, 30, 30, 60, 60, 60]);
    expect(Array.from((await decodeImageFile(grey, { channels: 1 })).data)).toEqual([0, 30, 60]);
  });

  it("resizes with 'fill' to the exact size and with 'cover' to the centre crop", async () => {
    const file = path.join(dir, 'stripes.png');
    // Columns red | green green | blue: a centre crop of the 2x4 image to 2x2 is all green.
    const colours: Rgba[] = [
      [255, 0, 0, 255],
      [0, 255, 0, 255],
      [0, 255, 0, 255],
      [0, 0, 255, 255],
    ];
    writePng(file, 2, 4, (_y, x) => colours[x]);
    const cover = await decodeImageFile(file, { channels: 3, size: [2, 2], fit: 'cover' });
    expect(Array.from(cover.data)).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0]);
    const fill = await decodeImageFile(file, { channels: 3, size: [3, 5], fit: 'fill' });
    expect([fill.height, fill.width, fill.data.length]).toEqual([3, 5, 45]);
    // The left edge stays red-dominated, the right edge blue-dominated.
    expect(fill.data[0]).toBeGreaterThan(fill.data[2]);
    expect(fill.data[3 * 4 + 2]).toBeGreaterThan(fill.data[3 * 4]);
    const plain = path.join(dir, 'solid.png');
    writePng(plain, 7, 5, solid(12, 34, 56));
    const resized = await decodeImageFile(plain, { channels: 3, size: [4, 9] });
    expect(new Set(Array.from(resized.data))).toEqual(new Set([12, 34, 56]));
  });

  it('names the file it cannot decode', async () => {
    const file = path.join(dir, 'broken.png');
    fs.writeFileSync(file, 'this is not a png');
    await expect(decodeImageFile(file, { channels: 3 })).rejects.toThrow(/cannot decode .*broken\.png/);
  });
});

describe('decodeImageBatch and loadImageFolderDataset', () => {
  it('decode a folder into NHWC uint8 with labels and class names', async () => {
    const root = path.join(dir, 'small');
    writePng(path.join(root, 'one', 'a.png'), 3, 3, solid(1, 2, 3));
    writePng(path.join(root, 'one', 'b.png'), 5, 5, solid(4, 5, 6));
    writePng(path.join(root, 'two', 'c.png'), 2, 6, solid(7, 8, 9));
    const dataset = await loadImageFolderDataset(root, { channels: 3, size: [2, 2] });
    expect(dataset.imageShape).toEqual([2, 2, 3]);
    expect(dataset.classNames).toEqual(['one', 'two']);
    expect(Array.from(dataset.labels)).toEqual([0, 0, 1]);
    expect(Array.from(dataset.image(0))).toEqual(Array(4).fill([1, 2, 3]).flat());
    expect(Array.from(dataset.image(1))).toEqual(Array(4).fill([4, 5, 6]).flat());
    expect(Array.from(dataset.image(2))).toEqual(Array(4).fill([7, 8, 9]).flat());

    const index = listImageFolder(root);
    const batch = await decodeImageBatch([index.files[2], index.files[0]], { channels: 1, size: [1, 1] }, 1);
    expect(batch.length).toBe(2);
    expect(batch[0]).toBeGreaterThan(batch[1]); // brighter (7, 8, 9) first, in the requested order
  });
});

describe('ImageFolderSource', () => {
  let root: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = path.join(dir, 'source');
    // Image k is a solid grey of value 10k, in class k % 2.
    for (let k = 0; k < 5; k++)
      writePng(path.join(root, `c${k % 2}`, `img${k}.png`), 3, 3, solid(10 * k, 10 * k, 10 * k));
  });

  async function collect(
    source: ImageFolderSource,
    epoch: number,
  ): Promise<{ values: number[]; labels: number[]; shapes: number[][] }> {
    const out = { values: [] as number[], labels: [] as number[], shapes: [] as number[][] };
    for await (const { x, y } of source.batches(epoch)) {
      out.shapes.push(x.shape);
      const pixels = x.dataSync();
      const size = x.shape.slice(1).reduce((a, b) => a * b, 1);
      for (let i = 0; i < x.shape[0]; i++) out.values.push(Math.round(pixels[i * size] * 255));
      out.labels.push(...Array.from(y.dataSync()));
      tf.dispose([x, y]);
    }
    return out;
  }

  it('decodes batches lazily in file order without shuffling', async () => {
    const index = listImageFolder(root);
    const source = new ImageFolderSource(index, { channels: 1, size: [2, 2], batchSize: 2, shuffle: false });
    expect([source.size, source.batchesPerEpoch]).toEqual([5, 3]);
    const { values, labels, shapes } = await collect(source, 0);
    // Files: c0/img0, c0/img2, c0/img4, c1/img1, c1/img3.
    expect(values).toEqual([0, 20, 40, 10, 30]);
    expect(labels).toEqual([0, 0, 0, 1, 1]);
    expect(shapes).toEqual([
      [2, 2, 2, 1],
      [2, 2, 2, 1],
      [1, 2, 2, 1],
    ]);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('shuffles as a function of (seed, epoch) and keeps labels with their images', async () => {
    const index = listImageFolder(root);
    const make = (seed: number) =>
      new ImageFolderSource(index, { channels: 3, size: [1, 1], batchSize: 2, seed, dropLast: true });
    const a = await collect(make(1), 0);
    expect(a.values.length).toBe(4);
    expect(a.shapes).toEqual([
      [2, 1, 1, 3],
      [2, 1, 1, 3],
    ]);
    expect(await collect(make(1), 0)).toEqual(a);
    const orders = await Promise.all([collect(make(1), 1), collect(make(2), 0), collect(make(1), 2)]);
    expect(orders.some((o) => o.values.join() !== a.values.join())).toBe(true);
    for (const o of [a, ...orders]) o.values.forEach((v, i) => expect(o.labels[i]).toBe((v / 10) % 2));
  });

  it('applies the transform and rejects a bad batch size', async () => {
    const index = listImageFolder(root);
    const source = new ImageFolderSource(index, {
      channels: 1,
      size: [2, 2],
      batchSize: 5,
      shuffle: false,
      transform: (x) => tf.sub(1, x) as tf.Tensor4D,
    });
    expect((await collect(source, 0)).values).toEqual([255, 235, 215, 245, 225]);
    expect(() => new ImageFolderSource(index, { channels: 1, size: [2, 2], batchSize: 0 })).toThrow(
      /batchSize must be a positive integer, got 0/,
    );
  });
});
