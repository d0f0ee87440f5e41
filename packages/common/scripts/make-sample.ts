// Makes the committed Fashion-MNIST sample: a seeded, stratified subset (500 train and 100 test images per class)
// of the full dataset, written as gzip IDX files with the original names.
//   npx tsx packages/common/scripts/make-sample.ts [--from /work/shared/datasets/fashion-mnist] [--seed 0]
import * as path from 'node:path';
import { encodeIdx, writeIdx } from '../src/data/idx';
import {
  readIdxImageFolder,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_SAMPLE_DIR,
  type DatasetSplit,
} from '../src/data/datasets';
import { createRng } from '../src/random/rng';
import { createHash } from 'node:crypto';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const from = argument('from', '/work/shared/datasets/fashion-mnist');
const seed = Number(argument('seed', '0'));
const perClass: Record<DatasetSplit, number> = { train: 500, test: 100 };
const prefix: Record<DatasetSplit, string> = { train: 'train', test: 't10k' };

for (const split of ['train', 'test'] as const) {
  const full = readIdxImageFolder(from, split, FASHION_MNIST_CLASSES);
  const rng = createRng(seed + (split === 'train' ? 0 : 1));
  const chosen: number[] = [];
  for (let label = 0; label < FASHION_MNIST_CLASSES.length; label++) {
    const ofLabel = Int32Array.from(full.labels.keys()).filter((i) => full.labels[i] === label);
    chosen.push(...rng.shuffle(ofLabel).subarray(0, perClass[split]));
  }
  chosen.sort((a, b) => a - b); // keep the original order of the dataset
  const sample = full.subset(chosen);
  const [h, w] = sample.imageShape;
  const imagesFile = path.join(FASHION_MNIST_SAMPLE_DIR, `${prefix[split]}-images-idx3-ubyte.gz`);
  const labelsFile = path.join(FASHION_MNIST_SAMPLE_DIR, `${prefix[split]}-labels-idx1-ubyte.gz`);
  writeIdx(imagesFile, { dtype: 'uint8', dims: [sample.length, h, w], data: sample.images });
  writeIdx(labelsFile, { dtype: 'uint8', dims: [sample.length], data: Uint8Array.from(sample.labels) });
  const digest = createHash('sha256')
    .update(encodeIdx({ dtype: 'uint8', dims: [sample.length, h, w], data: sample.images }))
    .digest('hex');
  console.log(
    `${split}: ${sample.length} of ${full.length} images, per class ${sample.labelCounts().join(' ')}, raw images sha256 ${digest.slice(0, 16)}`,
  );
}
