// The run configuration: a convict schema, composed the Hydra way from configs/<dataset>.yaml (root), the `model`
// group (multitask | simple) and the `scheduler` group (cosine | step | exponential), then command-line overrides.
import * as path from 'node:path';
import {
  arrayOf,
  composeConfigDetailed,
  intIn,
  numberIn,
  type ConfigSchema,
  type GroupChoices,
} from '@research/common';

export type DatasetName = 'fashionmnist' | 'mnist' | 'cifar10';
export type ModelMode = 'multitask' | 'simple';
export type Mining = 'random' | 'batch_hard';

export interface TripletVaeConfig {
  experiment: { name: string };
  seed: number;
  backend: 'auto' | 'wasm' | 'cpu' | 'tfjs-node' | 'tfjs-node-gpu';
  data: {
    dataset: DatasetName;
    /** Folder of the dataset files; '' = assets/datasets/<name> (Fashion-MNIST falls back to the embedded sample). */
    root: string;
    batch_size: number;
    /** Examples held out of the training split for validation (stratified, seeded). */
    val_size: number;
    /** Use a stratified, seeded subset of N training / test examples (0 = all): quick runs and tests. */
    train_limit: number;
    test_limit: number;
    /** 'random': seeded (anchor, positive, negative) triplets; 'batch_hard': plain batches, hardest pairs mined in the batch. */
    mining: Mining;
    /** Anchors per epoch for random triplets (0 = every training example once). */
    anchors_per_epoch: number;
    augment: {
      enabled: boolean;
      rotation_degrees: number;
      affine_translate: number;
      affine_scale: number[];
      affine_shear: number;
      perspective_distortion: number;
      perspective_p: number;
    };
  };
  model: {
    mode: ModelMode;
    patch_size: number;
    dim: number;
    depth: number;
    heads: number;
    mlp_dim: number;
    latent_dim: number;
    embedding_dim: number;
    /** Channels of the decoder's first feature map (halved by each transposed convolution). */
    decoder_channels: number;
  };
  loss: {
    margin: number;
    triplet_weight: number;
    cls_weight: number;
    rec_weight: number;
    kl_weight: number;
    /** Simple mode: total = triplet + classifier_weight · CE. */
    classifier_weight: number;
  };
  train: {
    epochs: number;
    optimizer: { name: 'adam' | 'adamw' | 'sgd'; lr: number; weight_decay: number; momentum: number };
    grad_clip: number;
    early_stopping: { monitor: string; mode: 'min' | 'max'; patience: number };
    checkpoint_monitor: string;
    log_every: number;
    /** Stop before another epoch would pass this many minutes of training (0 = no limit). */
    time_budget_minutes: number;
  };
  scheduler: {
    name: 'cosine' | 'step' | 'exponential' | 'constant';
    step_size: number;
    gamma: number;
    eta_min: number;
  };
  eval: { knn_k: number; tsne_points: number; tsne_iterations: number };
}

/** The folder of the shipped config files. */
export const CONFIG_DIR = path.resolve(__dirname, '..', 'configs');
export const DATASET_CONFIGS: readonly DatasetName[] = ['fashionmnist', 'mnist', 'cifar10'];

const positive = numberIn(0, Infinity, { minExclusive: true });
const nonNegative = numberIn(0, Infinity);

export const tripletVaeSchema: ConfigSchema<TripletVaeConfig> = {
  experiment: {
    name: { doc: 'run folder name under assets/outputs/triplet-vae', format: String, default: 'triplet-vae' },
  },
  seed: { doc: 'seeds weights, data order, triplets and augmentation', format: intIn(0, 2 ** 32 - 1), default: 0 },
  backend: { doc: 'tfjs backend', format: ['auto', 'wasm', 'cpu', 'tfjs-node', 'tfjs-node-gpu'], default: 'auto' },
  data: {
    dataset: { doc: 'dataset', format: ['fashionmnist', 'mnist', 'cifar10'], default: 'fashionmnist' },
    root: { doc: 'dataset folder (empty: assets/datasets/<name>)', format: String, default: '' },
    batch_size: { doc: 'triplets (or images for batch_hard) per batch', format: intIn(2), default: 64 },
    val_size: { doc: 'validation examples held out of train', format: intIn(1), default: 5000 },
    train_limit: { doc: 'a stratified, seeded subset of N training examples (0 = all)', format: intIn(0), default: 0 },
    test_limit: { doc: 'a stratified, seeded subset of N test examples (0 = all)', format: intIn(0), default: 0 },
    mining: { doc: 'triplet mining', format: ['random', 'batch_hard'], default: 'random' },
    anchors_per_epoch: { doc: 'anchors per epoch for random triplets (0 = all)', format: intIn(0), default: 0 },
    augment: {
      enabled: { doc: 'augment training images', format: Boolean, default: true },
      rotation_degrees: { doc: 'random rotation range ±deg', format: nonNegative, default: 10 },
      affine_translate: { doc: 'random affine translation (fraction of size)', format: numberIn(0, 1), default: 0.1 },
      affine_scale: {
        doc: 'random affine scale range [min, max]',
        format: arrayOf('number', { length: 2 }),
        default: [0.9, 1.1],
      },
      affine_shear: { doc: 'random affine shear ±deg', format: nonNegative, default: 5 },
      perspective_distortion: { doc: 'random perspective distortion', format: numberIn(0, 1), default: 0.2 },
      perspective_p: { doc: 'probability of a perspective warp', format: numberIn(0, 1), default: 0.3 },
    },
  },
  model: {
    mode: {
      doc: 'multitask (VAE latent + decoder) or simple (triplet + classifier)',
      format: ['multitask', 'simple'],
      default: 'multitask',
    },
    patch_size: { doc: 'patch size (divides the image size)', format: intIn(1), default: 7 },
    dim: { doc: 'token dimension', format: intIn(1), default: 64 },
    depth: { doc: 'encoder blocks', format: intIn(1), default: 4 },
    heads: { doc: 'attention heads', format: intIn(1), default: 4 },
    mlp_dim: { doc: 'MLP hidden size', format: intIn(1), default: 128 },
    latent_dim: { doc: 'VAE latent size', format: intIn(1), default: 32 },
    embedding_dim: { doc: 'triplet embedding size', format: intIn(1), default: 64 },
    decoder_channels: { doc: 'decoder channels at 1/4 resolution', format: intIn(2), default: 32 },
  },
  loss: {
    margin: { doc: 'triplet margin', format: nonNegative, default: 0.5 },
    triplet_weight: { doc: 'w_triplet', format: nonNegative, default: 1 },
    cls_weight: { doc: 'w_cls', format: nonNegative, default: 1 },
    rec_weight: { doc: 'w_rec', format: nonNegative, default: 1 },
    kl_weight: { doc: 'w_kl', format: nonNegative, default: 0.001 },
    classifier_weight: { doc: 'simple mode: weight of CE', format: nonNegative, default: 1 },
  },
  train: {
    epochs: { doc: 'maximum epochs', format: intIn(1), default: 10 },
    optimizer: {
      name: { doc: 'optimizer', format: ['adam', 'adamw', 'sgd'], default: 'adamw' },
      lr: { doc: 'initial learning rate', format: positive, default: 0.001 },
      weight_decay: { doc: 'weight decay', format: nonNegative, default: 0.01 },
      momentum: { doc: 'SGD momentum', format: numberIn(0, 1), default: 0.9 },
    },
    grad_clip: { doc: 'clip the global gradient norm (0 = off)', format: nonNegative, default: 1 },
    early_stopping: {
      monitor: { doc: 'epoch metric watched by early stopping', format: String, default: 'val_loss' },
      mode: { doc: 'min or max', format: ['min', 'max'], default: 'min' },
      patience: { doc: 'epochs without improvement before stopping', format: intIn(0), default: 5 },
    },
    checkpoint_monitor: {
      doc: 'epoch metric (maximised) that selects best.safetensors',
      format: String,
      default: 'val_acc',
    },
    log_every: { doc: 'log to TensorBoard every N batches', format: intIn(1), default: 20 },
    time_budget_minutes: {
      doc: 'stop before another epoch would pass this many minutes (0 = no limit)',
      format: nonNegative,
      default: 0,
    },
  },
  scheduler: {
    name: { doc: 'LR schedule (per epoch)', format: ['cosine', 'step', 'exponential', 'constant'], default: 'cosine' },
    step_size: { doc: 'step: epochs between decays', format: intIn(1), default: 5 },
    gamma: { doc: 'step / exponential: decay factor', format: numberIn(0, 1, { minExclusive: true }), default: 0.5 },
    eta_min: { doc: 'cosine: final learning rate', format: nonNegative, default: 0 },
  },
  eval: {
    knn_k: { doc: 'neighbours of the kNN accuracy', format: intIn(1), default: 5 },
    tsne_points: { doc: 'test embeddings in embeddings_tsne.png', format: intIn(10), default: 1000 },
    tsne_iterations: { doc: 't-SNE iterations', format: intIn(250), default: 500 },
  },
};

export interface ComposedRunConfig {
  config: TripletVaeConfig;
  choices: GroupChoices;
}

/** Composes `configs/<configName>.yaml` with its groups and the overrides (`model.latent_dim=32`, `model=simple`). */
export function composeTripletVaeConfig(configName: string, overrides: readonly string[] = []): ComposedRunConfig {
  if (!DATASET_CONFIGS.includes(configName as DatasetName)) {
    throw new Error(
      `unknown config '${configName}': expected one of ${DATASET_CONFIGS.join(', ')} (files in ${CONFIG_DIR})`,
    );
  }
  const { config, choices } = composeConfigDetailed<TripletVaeConfig>({
    configDir: CONFIG_DIR,
    configName,
    overrides,
    schema: tripletVaeSchema,
  });
  return { config, choices };
}
