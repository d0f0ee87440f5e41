// Datasets, splits, augmentations and batch sources of a run, from the config's data section.
import {
  composeTransforms,
  DataLoader,
  ImageDataset,
  loadCifar10,
  loadFashionMnist,
  loadMnist,
  randomAffine,
  randomPerspective,
  randomRotation,
  seededSplit,
  stratifiedSubset,
  type BatchSource,
  type DatasetSplit,
  type ImageTransform,
  type LoadedDataset,
} from '@research/common';
import type { TripletVaeConfig } from './config';
import { TripletDataset } from './triplet-dataset';

type DataConfig = TripletVaeConfig['data'];

/** Loads a split of the configured dataset (MNIST and CIFAR-10 absent: the data module's message says how to get them). */
export function loadSplit(data: DataConfig, split: DatasetSplit, seed = 0): LoadedDataset {
  const opts = { split, root: data.root || undefined };
  const loaded =
    data.dataset === 'fashionmnist'
      ? loadFashionMnist(opts)
      : data.dataset === 'mnist'
        ? loadMnist(opts)
        : loadCifar10(opts);
  const limit = split === 'train' ? data.train_limit : data.test_limit;
  if (limit > 0 && limit < loaded.dataset.length) {
    return { ...loaded, dataset: loaded.dataset.subset(stratifiedSubset(loaded.dataset.labels, limit, seed)) };
  }
  return loaded;
}

/** Rotation, affine (translate/scale/shear) and perspective, each drawn per image from the batch's seeded rng. */
export function augmentation(augment: DataConfig['augment']): ImageTransform | undefined {
  if (!augment.enabled) return undefined;
  const [scaleLo, scaleHi] = augment.affine_scale;
  return composeTransforms(
    randomRotation(augment.rotation_degrees),
    randomAffine({
      translate: [augment.affine_translate, augment.affine_translate],
      scale: [scaleLo, scaleHi],
      shear: augment.affine_shear,
    }),
    randomPerspective({ distortion: augment.perspective_distortion, p: augment.perspective_p }),
  );
}

export interface RunData {
  train: ImageDataset;
  val: ImageDataset;
  test: ImageDataset;
  source: LoadedDataset['source'];
  numClasses: number;
  classNames: readonly string[];
}

/** Train/validation (stratified, seeded) and test sets. */
export function loadRunData(config: TripletVaeConfig): RunData {
  const train = loadSplit(config.data, 'train', config.seed);
  const test = loadSplit(config.data, 'test', config.seed);
  if (config.data.val_size >= train.dataset.length) {
    throw new Error(
      `data.val_size ${config.data.val_size} must be smaller than the ${train.dataset.length} training examples`,
    );
  }
  const split = seededSplit(train.dataset, { valSize: config.data.val_size, seed: config.seed });
  const classNames = train.dataset.classNames ?? [];
  return {
    train: split.train,
    val: split.val,
    test: test.dataset,
    source: train.source,
    numClasses: classNames.length || 10,
    classNames,
  };
}

/** The training source: seeded random triplets, or plain shuffled batches for in-batch hard mining. */
export function trainSource(train: ImageDataset, config: TripletVaeConfig): BatchSource {
  const transform = augmentation(config.data.augment);
  if (config.data.mining === 'batch_hard') {
    return new DataLoader(train, { batchSize: config.data.batch_size, seed: config.seed, transform, shuffle: true });
  }
  return new TripletDataset(train, {
    batchSize: config.data.batch_size,
    seed: config.seed,
    transform,
    anchorsPerEpoch: config.data.anchors_per_epoch,
  });
}

/** Unshuffled, unaugmented {x, y} batches for evaluation. */
export function evalSource(dataset: ImageDataset, batchSize: number): DataLoader {
  return new DataLoader(dataset, { batchSize, shuffle: false, prefetch: 0 });
}
