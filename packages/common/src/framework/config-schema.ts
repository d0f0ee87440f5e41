// The image-classification framework's config (tools init-config / split / lr-finder / train / inference): a convict
// schema, so files are validated strictly and `key=value` overrides are typed by common's composer.
import { arrayOf, intIn, numberIn, type ConfigSchema } from '../config';
import { checkSearchSection, type SearchSection } from './search-section';
import { trainerTypeSchema, type TrainerTypeSection } from './trainer-type-schema';

export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw'] as const;
/** The schedules common's createSchedule builds (per epoch); `none` keeps the LR constant. */
export const SCHEDULER_NAMES = ['none', 'step', 'multistep', 'exponential', 'cosine'] as const;

export interface FrameworkConfig {
  data: {
    data_dir: string;
    fold: number;
    image_size: number;
    channels: 1 | 3;
    batch_size: number;
    num_workers: number;
    check_images: 'full' | 'header' | 'off';
    class_names: string[];
    mean: number[];
    std: number[];
  };
  model: {
    type: 'base' | 'custom';
    architecture: string;
    pretrained: boolean;
    weights: string | null;
    num_classes: number;
    dropout: number;
  };
  training: TrainerTypeSection & {
    num_epochs: number;
    runs_dir: string;
    log_every_n_steps: number;
    early_stopping: { enabled: boolean; patience: number; min_delta: number };
    checkpoint: { monitor: string; mode: 'min' | 'max' };
  };
  optimizer: {
    name: (typeof OPTIMIZER_NAMES)[number];
    lr: number;
    momentum: number;
    weight_decay: number;
    nesterov: boolean;
    betas: [number, number];
  };
  scheduler: {
    name: (typeof SCHEDULER_NAMES)[number];
    step_size: number;
    milestones: number[];
    gamma: number;
    t_max: number;
    eta_min: number;
  };
  augmentation: {
    random_resized_crop: { enabled: boolean; scale: [number, number]; ratio: [number, number] };
    horizontal_flip: number;
    color_jitter: { brightness: number; contrast: number; saturation: number; hue: number };
    eval_resize: number | null;
  };
  seed: number;
  deterministic: boolean;
  search: SearchSection | null;
}

const positive = numberIn(0, Infinity, { minExclusive: true });
const nonNegative = numberIn(0, Infinity);

/** A `search:` section or null: checked structurally (see search-section.ts). */
function searchFormat(value: unknown): void {
  if (value === null) return;
  const problems = checkSearchSection(value);
  if (problems.length > 0) throw new Error(`expected a search section: ${problems.join('; ')}`);
}
(searchFormat as unknown as { kind: string; expected: string }).kind = 'object';
(searchFormat as unknown as { kind: string; expected: string }).expected =
  'a search section (study_name, n_trials, direction, metric, sampler, pruner, search_space) or null';

export const frameworkSchema: ConfigSchema<FrameworkConfig> = {
  data: {
    data_dir: { doc: 'folder holding raw/<class>/<image> and splits/', format: String, default: '' },
    fold: { doc: 'cross-validation fold (splits/fold_<k>_*.txt)', format: intIn(0), default: 0 },
    image_size: { doc: 'images are resized/cropped to image_size x image_size', format: intIn(1), default: 224 },
    channels: { doc: '1 (grey) or 3 (RGB; grey images replicated)', format: [1, 3], default: 3 },
    batch_size: { format: intIn(1), default: 32 },
    num_workers: { doc: 'images decoded at once (sharp uses libuv threads)', format: intIn(1), default: 4 },
    check_images: {
      doc: 'before training, decode every image (full), read every header (header) or nothing (off)',
      format: ['full', 'header', 'off'],
      default: 'full',
    },
    class_names: { doc: 'sorted class folder names; label = position', format: arrayOf('string'), default: [] },
    mean: { doc: 'per-channel mean for normalisation', format: arrayOf('number'), default: [0.485, 0.456, 0.406] },
    std: { doc: 'per-channel std for normalisation', format: arrayOf('number'), default: [0.229, 0.224, 0.225] },
  },
  model: {
    type: {
      doc: "base: torchvision-equivalent architectures; custom: the project's own",
      format: ['base', 'custom'],
      default: 'custom',
    },
    architecture: { doc: 'a name in the model registry (npx tools models)', format: String, default: 'simple_cnn' },
    pretrained: { format: Boolean, default: false },
    weights: { doc: 'safetensors file of pretrained weights', format: String, default: null, nullable: true },
    num_classes: { format: intIn(2), default: 2 },
    dropout: { format: numberIn(0, 1, { maxExclusive: true }), default: 0 },
  },
  training: {
    ...trainerTypeSchema,
    num_epochs: { format: intIn(1), default: 10 },
    runs_dir: {
      doc: 'run directories go to <runs_dir>/<dataset>_<overrides>_fold_<k>',
      format: String,
      default: 'assets/outputs/runs',
    },
    log_every_n_steps: {
      doc: 'a progress line (and TensorBoard step scalars) every this many batches',
      format: intIn(1),
      default: 50,
    },
    early_stopping: {
      enabled: { format: Boolean, default: false },
      patience: { format: intIn(1), default: 5 },
      min_delta: { format: nonNegative, default: 0 },
    },
    checkpoint: {
      monitor: { doc: 'metric that picks weights/best (e.g. val_loss, val_acc)', format: String, default: 'val_loss' },
      mode: { format: ['min', 'max'], default: 'min' },
    },
  },
  optimizer: {
    name: { format: [...OPTIMIZER_NAMES], default: 'adam' },
    lr: { format: positive, default: 0.001 },
    momentum: { doc: 'sgd only', format: numberIn(0, 1), default: 0.9 },
    weight_decay: { format: nonNegative, default: 0 },
    nesterov: { doc: 'sgd only', format: Boolean, default: false },
    betas: { doc: 'adam / adamw only', format: arrayOf('number', { length: 2 }), default: [0.9, 0.999] },
  },
  scheduler: {
    name: { format: [...SCHEDULER_NAMES], default: 'none' },
    step_size: { doc: 'step: epochs between decays', format: intIn(1), default: 10 },
    milestones: { doc: 'multistep: epochs at which the LR decays', format: arrayOf('int'), default: [30, 60] },
    gamma: { doc: 'step / multistep / exponential: decay factor', format: positive, default: 0.1 },
    t_max: { doc: 'cosine: epochs of the half period (0: num_epochs)', format: intIn(0), default: 0 },
    eta_min: { doc: 'cosine: final LR', format: nonNegative, default: 0 },
  },
  augmentation: {
    random_resized_crop: {
      enabled: { format: Boolean, default: true },
      scale: { format: arrayOf('number', { length: 2 }), default: [0.08, 1] },
      ratio: { format: arrayOf('number', { length: 2 }), default: [3 / 4, 4 / 3] },
    },
    horizontal_flip: { doc: 'probability of a left-right flip (0: off)', format: numberIn(0, 1), default: 0.5 },
    color_jitter: {
      brightness: { format: nonNegative, default: 0 },
      contrast: { format: nonNegative, default: 0 },
      saturation: { format: nonNegative, default: 0 },
      hue: { format: numberIn(0, 0.5), default: 0 },
    },
    eval_resize: {
      doc: 'evaluation: resize the shorter side to this, then center-crop image_size (null: resize to image_size)',
      format: intIn(1),
      default: null,
      nullable: true,
    },
  },
  seed: { doc: 'seeds weights, splits of the data order and augmentation', format: intIn(0, 2 ** 32 - 1), default: 42 },
  deterministic: { doc: 'seed every generator and use deterministic kernels', format: Boolean, default: false },
  search: {
    doc: 'Optuna-style hyper-parameter search (tools search)',
    format: searchFormat,
    default: null,
    nullable: true,
  },
};
