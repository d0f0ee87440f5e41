// The datasets of an experiment (DATASET.DATASET): Fashion-MNIST (full when imported into assets/datasets, else the
// embedded sample) or the ImageNet folder layout <dataDir>/<DATASET>/images/{TRAIN_SET,TEST_SET}/<class>/*.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  type BatchSource,
  DataLoader,
  type ImageDataset,
  type ImageFolderIndex,
  ImageFolderSource,
  type ImageTransform,
  composeTransforms,
  createRng,
  datasetsDir,
  listImageFolder,
  loadFashionMnist,
  normalize,
  randomCrop,
  randomHorizontalFlip,
  resize,
  splitIndices,
  stratifiedSubset,
} from '@research/common';
import type { HrnetExperiment } from '../config';
import { centerCrop, randomResizedCrop } from './transforms';

export { randomResizedCrop, centerCrop, type RandomResizedCropOptions } from './transforms';

export interface SourceOptions {
  batchSize: number;
  /** Training augmentation (else the deterministic evaluation transform). */
  augment: boolean;
  shuffle: boolean;
  seed: number;
  /** Only these examples of the split, in this order. */
  indices?: ArrayLike<number>;
  /** Examples per epoch, drawn afresh each epoch (default: all). */
  samplesPerEpoch?: number;
}

/** One split: its labels and batch sources over it. */
export interface SplitData {
  size: number;
  labels: Int32Array;
  /** The image files a folder split decodes (checked before training); none for in-memory data. */
  files?: readonly string[];
  source(opts: SourceOptions): BatchSource;
}

export interface ExperimentData {
  train: SplitData;
  /** Model selection and the topology monitor's validation sample. */
  val: SplitData;
  /** Reported accuracy. */
  test: SplitData;
  /** One line: where the data came from and the split sizes. */
  description: string;
}

export const FASHION_MNIST_MEAN = 0.286;
export const FASHION_MNIST_STD = 0.353;
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];
/** Evaluation resizes to size / 0.875 (256 for 224) before the centre crop, as the official validation loader. */
const EVAL_RESIZE_RATIO = 0.875;

function channelStats(values: number[], channels: number): number[] {
  if (channels === values.length) return values;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return new Array<number>(channels).fill(mean);
}

function inMemorySplit(dataset: ImageDataset, transforms: { train: ImageTransform; eval: ImageTransform }): SplitData {
  return {
    size: dataset.length,
    labels: dataset.labels,
    source: (o) =>
      new DataLoader(o.indices ? dataset.subset(o.indices) : dataset, {
        batchSize: o.batchSize,
        shuffle: o.shuffle,
        seed: o.seed,
        samplesPerEpoch: o.samplesPerEpoch,
        transform: o.augment ? transforms.train : transforms.eval,
      }),
  };
}

/** Fashion-MNIST: VAL_SIZE examples of the training split (stratified, seeded) validate, the test split tests. */
function fashionMnist(exp: HrnetExperiment, dataDir: string | undefined): ExperimentData {
  const root = dataDir === undefined ? undefined : path.join(dataDir, 'fashion-mnist');
  const trainSet = loadFashionMnist({ split: 'train', root });
  const testSet = loadFashionMnist({ split: 'test', root });
  const [width, height] = exp.MODEL.IMAGE_SIZE;
  const [h, w] = trainSet.dataset.imageShape;
  if (exp.MODEL.IN_CHANNELS !== 1) {
    throw new Error(`DATASET.DATASET fashion-mnist has 1 channel but MODEL.IN_CHANNELS is ${exp.MODEL.IN_CHANNELS}`);
  }
  const norm = normalize(FASHION_MNIST_MEAN, FASHION_MNIST_STD);
  const padY = (height - h) / 2;
  const padX = (width - w) / 2;
  // 28x28 -> 32x32: zero padding (a crop of the padded image at the centre); training shifts by up to 2 pixels and flips.
  const exact = padY === padX && Number.isInteger(padY) && padY >= 0;
  const transforms = exact
    ? {
        eval: composeTransforms(randomCrop([height, width], { padding: padY }), norm),
        train: composeTransforms(randomCrop([height, width], { padding: padY + 2 }), randomHorizontalFlip(), norm),
      }
    : {
        eval: composeTransforms(resize([height, width]), norm),
        train: composeTransforms(resize([height, width]), randomHorizontalFlip(), norm),
      };

  const seed = exp.TRAIN.SEED;
  const all = trainSet.dataset;
  const valSize = Math.min(exp.DATASET.VAL_SIZE, Math.floor(all.length / 2));
  const split = splitIndices(all.labels, { valSize, seed });
  const trainPool = all.subset(split.train);
  const train = trainPool.subset(stratifiedSubset(trainPool.labels, exp.DATASET.TRAIN_LIMIT, seed));
  const val = all.subset(split.val);
  const test = testSet.dataset.subset(stratifiedSubset(testSet.dataset.labels, exp.DATASET.TEST_LIMIT, seed));
  return {
    train: inMemorySplit(train, transforms),
    val: inMemorySplit(val, transforms),
    test: inMemorySplit(test, transforms),
    description:
      `Fashion-MNIST (${trainSet.source === 'full' ? 'full' : 'embedded sample'}, ${trainSet.dir}): ` +
      `train ${train.length}, val ${val.length} (held out of train), test ${test.length}`,
  };
}

function folderSplit(index: ImageFolderIndex, exp: HrnetExperiment): SplitData {
  const [width, height] = exp.MODEL.IMAGE_SIZE;
  const channels = exp.MODEL.IN_CHANNELS;
  if (channels !== 1 && channels !== 3)
    throw new Error(`MODEL.IN_CHANNELS must be 1 or 3 for image folders, got ${channels}`);
  const norm = normalize(channelStats(IMAGENET_MEAN, channels), channelStats(IMAGENET_STD, channels));
  const decodedSize: [number, number] = [Math.round(height / EVAL_RESIZE_RATIO), Math.round(width / EVAL_RESIZE_RATIO)];
  return {
    size: index.files.length,
    labels: index.labels,
    files: index.files,
    source: (o) => {
      const sub = o.indices
        ? {
            ...index,
            files: Array.from(o.indices, (i) => index.files[i]),
            labels: Int32Array.from(o.indices, (i) => index.labels[i]),
          }
        : index;
      // Training: RandomResizedCrop + flip on the image decoded with its shorter side at size / 0.875 (centre
      // square); evaluation: Resize(size / 0.875) + CenterCrop(size), as the official loaders.
      const transform = o.augment
        ? composeTransforms(randomResizedCrop([height, width]), randomHorizontalFlip(), norm)
        : composeTransforms(centerCrop([height, width]), norm);
      return new ImageFolderSource(sub, {
        channels,
        size: decodedSize,
        fit: 'cover',
        batchSize: o.batchSize,
        shuffle: o.shuffle,
        seed: o.seed,
        transform,
        samplesPerEpoch: o.samplesPerEpoch,
      });
    },
  };
}

/** ImageNet layout: <dataDir>/<DATASET>/images/<TRAIN_SET> trains, <TEST_SET> validates and tests (as the official code). */
function imageFolders(exp: HrnetExperiment, dataDir: string): ExperimentData {
  const root = path.join(dataDir, exp.DATASET.DATASET, 'images');
  const trainDir = path.join(root, exp.DATASET.TRAIN_SET);
  const valDir = path.join(root, exp.DATASET.TEST_SET);
  for (const dir of [trainDir, valDir]) {
    if (!fs.existsSync(dir)) {
      throw new Error(
        `Dataset folder ${dir} does not exist (DATASET.DATASET=${exp.DATASET.DATASET}, expected <dataDir>/<DATASET>/images/{${exp.DATASET.TRAIN_SET},${exp.DATASET.TEST_SET}}/<class>/*; set DATA_DIR=<folder>)`,
      );
    }
  }
  const limit = (index: ImageFolderIndex, count: number): ImageFolderIndex => {
    const keep = stratifiedSubset(index.labels, count, exp.TRAIN.SEED);
    return {
      ...index,
      files: Array.from(keep, (i) => index.files[i]),
      labels: Int32Array.from(keep, (i) => index.labels[i]),
    };
  };
  const trainIndex = limit(listImageFolder(trainDir), exp.DATASET.TRAIN_LIMIT);
  const valIndex = limit(listImageFolder(valDir), exp.DATASET.TEST_LIMIT);
  if (trainIndex.classes.length !== exp.MODEL.NUM_CLASSES) {
    throw new Error(
      `${trainDir} has ${trainIndex.classes.length} class folders but MODEL.NUM_CLASSES is ${exp.MODEL.NUM_CLASSES}`,
    );
  }
  if (valIndex.classes.join('\n') !== trainIndex.classes.join('\n')) {
    throw new Error(`${valDir} and ${trainDir} have different class folders`);
  }
  const val = folderSplit(valIndex, exp);
  return {
    train: folderSplit(trainIndex, exp),
    val,
    test: val,
    description: `${exp.DATASET.DATASET} folders ${root}: train ${trainIndex.files.length}, val = test ${valIndex.files.length}`,
  };
}

/** The train / val / test splits of an experiment: under DATA_DIR, or assets/datasets when it is empty. */
export function loadExperimentData(exp: HrnetExperiment): ExperimentData {
  const dir = exp.DATA_DIR !== '' ? exp.DATA_DIR : undefined;
  if (exp.DATASET.DATASET === 'fashion-mnist') return fashionMnist(exp, dir);
  return imageFolders(exp, dir ?? datasetsDir());
}

/** A fixed, seeded sample of `count` examples of a split as one evaluation batch {x, y} (caller disposes). */
export async function probeBatch(
  split: SplitData,
  count: number,
  seed: number,
): Promise<{ x: tf.Tensor; y: tf.Tensor }> {
  const n = Math.min(count, split.size);
  const indices = createRng(seed).permutation(split.size).slice(0, n).sort();
  const source = split.source({ batchSize: n, augment: false, shuffle: false, seed, indices });
  for await (const batch of source.batches(0)) return { x: batch.x, y: batch.y };
  throw new Error('probeBatch: empty split');
}
