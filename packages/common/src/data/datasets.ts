// Loaders for the standard image datasets, from `assets/datasets/<name>` (see the hub module's `datasetsDir`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetsDir } from '../io/paths';
import { readIdxUint8 } from './idx';
import { ImageDataset } from './image-dataset';

export type DatasetSplit = 'train' | 'test';

export interface LoadedDataset {
  dataset: ImageDataset;
  /** `full`: the complete dataset from `dir`; `sample`: the small sample committed in packages/common/data. */
  source: 'full' | 'sample';
  /** The folder the files were read from. */
  dir: string;
}

export interface LoadOptions {
  split: DatasetSplit;
  /** Folder with the dataset's files; default `assets/datasets/<name>`. A root given explicitly must hold the files. */
  root?: string;
}

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** The committed Fashion-MNIST sample (5000 train / 1000 test, stratified; see its README). */
export const FASHION_MNIST_SAMPLE_DIR = path.join(__dirname, '..', '..', 'data', 'fashion-mnist-sample');

const idxPrefix: Record<DatasetSplit, string> = { train: 'train', test: 't10k' };

/** The IDX file `<prefix>-<kind>-idx<n>-ubyte[.gz]` in `dir`, if present. */
function findIdxFile(dir: string, split: DatasetSplit, kind: 'images' | 'labels'): string | undefined {
  const base = path.join(dir, `${idxPrefix[split]}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte`);
  return [`${base}.gz`, base].find((file) => fs.existsSync(file));
}

function hasIdxSplit(dir: string, split: DatasetSplit): boolean {
  return findIdxFile(dir, split, 'images') !== undefined && findIdxFile(dir, split, 'labels') !== undefined;
}

/** Reads an MNIST-layout split (`train-*` or `t10k-*` IDX files) from a folder. */
export function readIdxImageFolder(dir: string, split: DatasetSplit, classNames?: readonly string[]): ImageDataset {
  const imagesFile = findIdxFile(dir, split, 'images');
  const labelsFile = findIdxFile(dir, split, 'labels');
  if (!imagesFile || !labelsFile) {
    throw new Error(
      `${dir}: missing ${idxPrefix[split]}-images-idx3-ubyte[.gz] or ${idxPrefix[split]}-labels-idx1-ubyte[.gz]`,
    );
  }
  const images = readIdxUint8(imagesFile, 3, 'images [n, rows, cols]');
  const labels = readIdxUint8(labelsFile, 1, 'labels [n]');
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(
      `${dir}: ${path.basename(imagesFile)} holds ${images.dims[0]} images but ${path.basename(labelsFile)} holds ${labels.dims[0]} labels`,
    );
  }
  const numClasses = classNames?.length;
  const labelArray = Int32Array.from(labels.data);
  const bad = numClasses === undefined ? -1 : labelArray.findIndex((l) => l >= numClasses);
  if (bad >= 0)
    throw new Error(`${labelsFile}: label ${labelArray[bad]} at index ${bad} is out of range [0, ${numClasses})`);
  return new ImageDataset(images.data, labelArray, [images.dims[1], images.dims[2], 1], classNames);
}

/**
 * Fashion-MNIST: the full set from `assets/datasets/fashion-mnist` when its IDX files are there, else the committed
 * sample; `source` says which.
 */
export function loadFashionMnist(opts: LoadOptions): LoadedDataset {
  const dir = opts.root ?? datasetsDir('fashion-mnist');
  if (opts.root !== undefined || hasIdxSplit(dir, opts.split)) {
    return { dataset: readIdxImageFolder(dir, opts.split, FASHION_MNIST_CLASSES), source: 'full', dir };
  }
  return {
    dataset: readIdxImageFolder(FASHION_MNIST_SAMPLE_DIR, opts.split, FASHION_MNIST_CLASSES),
    source: 'sample',
    dir: FASHION_MNIST_SAMPLE_DIR,
  };
}

/** MNIST from `assets/datasets/mnist` (IDX files); there is no embedded sample. */
export function loadMnist(opts: LoadOptions): LoadedDataset {
  const dir = opts.root ?? datasetsDir('mnist');
  if (!hasIdxSplit(dir, opts.split)) {
    throw new Error(
      `MNIST ${opts.split} files not found in ${dir} (expected ${idxPrefix[opts.split]}-images-idx3-ubyte[.gz] and ${idxPrefix[opts.split]}-labels-idx1-ubyte[.gz]). ` +
        'Get them with `npx tools import-dataset mnist --from <dir with the IDX files>` or `npx tools download-hf-dataset --name ylecun/mnist`.',
    );
  }
  return { dataset: readIdxImageFolder(dir, opts.split, MNIST_CLASSES), source: 'full', dir };
}

const CIFAR_RECORD = 1 + 32 * 32 * 3;
const cifarFiles: Record<DatasetSplit, string[]> = {
  train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
  test: ['test_batch.bin'],
};

/** Decodes CIFAR-10 binary records (a label byte, then 1024 red, 1024 green, 1024 blue bytes) into NHWC. */
export function decodeCifarBatch(bytes: Uint8Array, name: string): { images: Uint8Array; labels: Int32Array } {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD !== 0) {
    throw new Error(
      `${name}: ${bytes.length} bytes is not a whole number of CIFAR-10 records of ${CIFAR_RECORD} bytes (truncated or not a CIFAR-10 binary batch)`,
    );
  }
  const n = bytes.length / CIFAR_RECORD;
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const offset = r * CIFAR_RECORD;
    labels[r] = bytes[offset];
    if (labels[r] > 9) throw new Error(`${name}: record ${r} has label ${labels[r]}, expected 0-9`);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) images[r * 3072 + p * 3 + c] = bytes[offset + 1 + c * 1024 + p];
    }
  }
  return { images, labels };
}

/** CIFAR-10 from its binary version in `assets/datasets/cifar10` (files directly there or in `cifar-10-batches-bin/`). */
export function loadCifar10(opts: LoadOptions): LoadedDataset {
  const root = opts.root ?? datasetsDir('cifar10');
  const dir = [root, path.join(root, 'cifar-10-batches-bin')].find((d) =>
    cifarFiles[opts.split].every((f) => fs.existsSync(path.join(d, f))),
  );
  if (!dir) {
    throw new Error(
      `CIFAR-10 ${opts.split} files (${cifarFiles[opts.split].join(', ')}) not found in ${root} or ${path.join(root, 'cifar-10-batches-bin')}. ` +
        'Import the binary version with `npx tools import-dataset cifar10 --from <dir>`.',
    );
  }
  const parts = cifarFiles[opts.split].map((f) =>
    decodeCifarBatch(fs.readFileSync(path.join(dir, f)), path.join(dir, f)),
  );
  const n = parts.reduce((sum, p) => sum + p.labels.length, 0);
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  let at = 0;
  for (const part of parts) {
    images.set(part.images, at * 3072);
    labels.set(part.labels, at);
    at += part.labels.length;
  }
  return { dataset: new ImageDataset(images, labels, [32, 32, 3], CIFAR10_CLASSES), source: 'full', dir };
}
