import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { decodeCifarBatch, FASHION_MNIST_SAMPLE_DIR, loadCifar10, loadFashionMnist, loadMnist } from './datasets';
import { writeIdx } from './idx';
import { ImageDataset, seededSplit, splitIndices } from './image-dataset';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'datasets-'));
const emptyAssets = fs.mkdtempSync(path.join(os.tmpdir(), 'assets-'));

describe('loadFashionMnist', () => {
  const previous = process.env.RESEARCH_ASSETS_DIR;
  beforeAll(() => (process.env.RESEARCH_ASSETS_DIR = emptyAssets));
  afterAll(() =>
    previous === undefined ? delete process.env.RESEARCH_ASSETS_DIR : (process.env.RESEARCH_ASSETS_DIR = previous),
  );

  it('falls back to the committed stratified sample and says so', () => {
    const train = loadFashionMnist({ split: 'train' });
    const test = loadFashionMnist({ split: 'test' });
    expect(train.source).toBe('sample');
    expect(train.dir).toBe(FASHION_MNIST_SAMPLE_DIR);
    expect(train.dataset.length).toBe(5000);
    expect(train.dataset.imageShape).toEqual([28, 28, 1]);
    expect(train.dataset.labelCounts()).toEqual(new Array(10).fill(500));
    expect(test.dataset.labelCounts()).toEqual(new Array(10).fill(100));
    expect(train.dataset.classNames?.[9]).toBe('Ankle boot');
  });

  it('uses the full set when its files are in assets/datasets/fashion-mnist', () => {
    const dir = path.join(emptyAssets, 'datasets', 'fashion-mnist');
    writeIdx(path.join(dir, 't10k-images-idx3-ubyte.gz'), {
      dtype: 'uint8',
      dims: [2, 2, 3],
      data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    });
    writeIdx(path.join(dir, 't10k-labels-idx1-ubyte'), { dtype: 'uint8', dims: [2], data: Uint8Array.from([9, 0]) });
    const loaded = loadFashionMnist({ split: 'test' });
    expect(loaded.source).toBe('full');
    expect(loaded.dir).toBe(dir);
    expect(Array.from(loaded.dataset.labels)).toEqual([9, 0]);
    expect(Array.from(loaded.dataset.image(1))).toEqual([7, 8, 9, 10, 11, 12]);
    expect(loadFashionMnist({ split: 'train' }).source).toBe('sample');
  });

  it('rejects images and labels of different lengths, and labels out of range', () => {
    const dir = path.join(tmp, 'mismatch');
    writeIdx(path.join(dir, 'train-images-idx3-ubyte.gz'), {
      dtype: 'uint8',
      dims: [2, 1, 1],
      data: Uint8Array.from([1, 2]),
    });
    writeIdx(path.join(dir, 'train-labels-idx1-ubyte.gz'), {
      dtype: 'uint8',
      dims: [3],
      data: Uint8Array.from([1, 2, 3]),
    });
    expect(() => loadFashionMnist({ split: 'train', root: dir })).toThrow(
      'holds 2 images but train-labels-idx1-ubyte.gz holds 3 labels',
    );
    writeIdx(path.join(dir, 'train-labels-idx1-ubyte.gz'), {
      dtype: 'uint8',
      dims: [2],
      data: Uint8Array.from([1, 12]),
    });
    expect(() => loadFashionMnist({ split: 'train', root: dir })).toThrow(
      'label 12 at index 1 is out of range [0, 10)',
    );
  });
});

describe('corrupt dataset files', () => {
  it('a truncated copy of the sample is reported with its file name and the sizes expected', () => {
    const dir = path.join(tmp, 'truncated');
    fs.mkdirSync(dir, { recursive: true });
    const raw = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_SAMPLE_DIR, 't10k-images-idx3-ubyte.gz')));
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), raw.subarray(0, raw.length - 784));
    fs.copyFileSync(
      path.join(FASHION_MNIST_SAMPLE_DIR, 't10k-labels-idx1-ubyte.gz'),
      path.join(dir, 't10k-labels-idx1-ubyte.gz'),
    );
    expect(() => loadFashionMnist({ split: 'test', root: dir })).toThrow(
      `${path.join(dir, 't10k-images-idx3-ubyte')}: truncated: header says uint8 [1000, 28, 28], i.e. 784016 bytes, but the data has 783232`,
    );
  });
});

describe('loadMnist', () => {
  it('explains how to get MNIST when it is absent', () => {
    expect(() => loadMnist({ split: 'train', root: path.join(tmp, 'none') })).toThrow(
      /npx tools import-dataset mnist --from .*npx tools download-hf-dataset --name ylecun\/mnist/,
    );
  });
});

describe('CIFAR-10', () => {
  function record(label: number, r: number, g: number, b: number): number[] {
    return [label, ...new Array(1024).fill(r), ...new Array(1024).fill(g), ...new Array(1024).fill(b)];
  }

  it('decodes planar RGB records into NHWC', () => {
    const bytes = Uint8Array.from([...record(3, 10, 20, 30), ...record(7, 1, 2, 3)]);
    bytes[1 + 1024 + 5] = 99; // green of pixel 5 in the first image
    const { images, labels } = decodeCifarBatch(bytes, 'x.bin');
    expect(Array.from(labels)).toEqual([3, 7]);
    expect(Array.from(images.subarray(0, 6))).toEqual([10, 20, 30, 10, 20, 30]);
    expect(Array.from(images.subarray(15, 18))).toEqual([10, 99, 30]);
    expect(Array.from(images.subarray(3072, 3075))).toEqual([1, 2, 3]);
    expect(() => decodeCifarBatch(bytes.subarray(0, 5000), 'x.bin')).toThrow(
      'x.bin: 5000 bytes is not a whole number of CIFAR-10 records of 3073 bytes',
    );
  });

  it('loads test_batch.bin from cifar-10-batches-bin and explains when files are missing', () => {
    const dir = path.join(tmp, 'cifar', 'cifar-10-batches-bin');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), Uint8Array.from(record(5, 1, 2, 3)));
    const loaded = loadCifar10({ split: 'test', root: path.join(tmp, 'cifar') });
    expect(loaded.dataset.imageShape).toEqual([32, 32, 3]);
    expect(loaded.dataset.classNames?.[5]).toBe('dog');
    expect(() => loadCifar10({ split: 'train', root: path.join(tmp, 'cifar') })).toThrow(
      /data_batch_1.bin.*npx tools import-dataset cifar10/,
    );
  });
});

describe('ImageDataset and seededSplit', () => {
  const n = 103;
  const labels = Int32Array.from({ length: n }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const images = Uint8Array.from({ length: n * 2 }, (_, i) => Math.floor(i / 2));
  const dataset = new ImageDataset(images, labels, [1, 2, 1]);

  it('subsets in the given order', () => {
    const sub = dataset.subset([5, 0, 5]);
    expect(Array.from(sub.images)).toEqual([5, 5, 0, 0, 5, 5]);
    expect(Array.from(sub.labels)).toEqual([0, 0, 0]);
    expect(() => dataset.subset([n])).toThrow(`index ${n} out of range`);
  });

  it('splits disjointly, reproducibly, and stratified by label', () => {
    const a = splitIndices(labels, { valFraction: 0.2, seed: 1 });
    expect(a.val.length).toBe(21);
    expect(new Set([...a.train, ...a.val]).size).toBe(n);
    expect(splitIndices(labels, { valFraction: 0.2, seed: 1 })).toEqual(a);
    expect(splitIndices(labels, { valFraction: 0.2, seed: 2 }).val).not.toEqual(a.val);
    // shares 60/30/13 of 21 -> 12.23, 6.12, 2.65: floors 12, 6, 2 and the one left goes to the largest remainder (label 2)
    const { val } = seededSplit(dataset, { valSize: 21, seed: 5 });
    expect(val.labelCounts()).toEqual([12, 6, 3]);
    const plain = splitIndices(labels, { valSize: 21, seed: 5, stratified: false });
    expect(plain.val.length).toBe(21);
    expect(() => splitIndices(labels, { valFraction: 1.5, seed: 0 })).toThrow('validation size must be in [0, 103]');
  });
});
