// The run configuration: a convict schema composed the Hydra way from configs/config.yaml and the groups
// model/{multiview_vit,multiview_vit_b16,vit,baseline_cnn}, data/{synthetic,gravity_spy}, train/{default,smoke},
// then command-line overrides (`model=vit data.batch_size=64 train.loss.name=focal_loss +experiment.name=x`).
import * as path from 'node:path';
import {
  arrayOf,
  composeConfigDetailed,
  intIn,
  numberIn,
  type ConfigSchema,
  type GroupChoices,
} from '@research/common';
import { DURATIONS, type Duration } from './data';

export type ModelName = 'multiview_vit' | 'vit' | 'baseline_cnn';

export interface VitSection {
  patch_size: number;
  dim: number;
  depth: number;
  heads: number;
  mlp_dim: number;
  dropout: number;
}

export interface GravityVitConfig {
  /** Not in the config files, so that `+experiment.name=x` adds it (Hydra style); defaults to 'default'. */
  experiment: { name: string };
  seed: number;
  model: {
    name: ModelName;
    /** Model input [height, width]: each view (or the merged view) is resized bilinearly to it. */
    input_size: number[];
    /** 1 = grey; 3 = grey replicated (ImageNet-pretrained encoders). */
    channels: number;
    /** timm-layout safetensors for the ViT encoder ('' = from scratch; a relative path is under assets/models). */
    pretrained: string;
    /** vit only: the window it sees. */
    view: Duration;
    vit: VitSection;
    fusion: { layers: number; heads: number; mlp_dim: number; dropout: number };
    head_dim: number;
    cnn: { filters: number[]; dense_units: number; dropout: number };
  };
  data: {
    name: 'synthetic' | 'gravity_spy';
    /** The HDF5 file ('' = the dataset's default under assets/datasets). */
    h5: string;
    batch_size: number;
    eval_batch_size: number;
    /** Weight the loss by total / (n_classes x count), normalised to sum to n_classes. */
    class_weights: boolean;
    /** (x - mean) / std after resizing (0.5 / 0.5 for timm's augreg ViTs). */
    normalize: { mean: number; std: number };
    /** N samples of each split, evenly spread over its classes (0 = all): quick runs. */
    train_limit: number;
    val_limit: number;
    test_limit: number;
  };
  tracking: {
    /** Log the run to MLflow: MLFLOW_TRACKING_URI=http(s)://… -> that server, else the file store below. */
    mlflow: boolean;
    /** The local mlruns/ folder ('' = assets/outputs/gravity-vit/mlruns; a file: URI in MLFLOW_TRACKING_URI wins). */
    store: string;
  };
  train: {
    epochs: number;
    /** tfjs backend: auto picks tfjs-node-gpu, tfjs-node, wasm, cpu in that order. */
    device: 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
    optimizer: { name: 'adamw' | 'adam' | 'sgd'; lr: number; weight_decay: number; momentum: number };
    scheduler: {
      name: 'warmup_cosine' | 'cosine' | 'constant';
      warmup_epochs: number;
      warmup_start_factor: number;
      eta_min: number;
    };
    loss: { name: 'cross_entropy' | 'focal_loss'; label_smoothing: number; gamma: number };
    grad_clip: number;
    /** PyTorch AMP semantics (float32 master weights, dynamic loss scaling) through common's precision plugin. */
    mixed_precision: boolean;
    amp_dtype: 'float16' | 'bfloat16';
    early_stopping: { monitor: string; mode: 'min' | 'max'; patience: number };
    checkpoint_monitor: string;
    log_every: number;
  };
}

export const CONFIG_DIR = path.resolve(__dirname, '..', 'configs');
export const MODEL_NAMES: readonly ModelName[] = ['multiview_vit', 'vit', 'baseline_cnn'];

const positive = numberIn(0, Infinity, { minExclusive: true });
const nonNegative = numberIn(0, Infinity);
const probability = numberIn(0, 1, { maxExclusive: true });

const schema: ConfigSchema<GravityVitConfig> = {
  experiment: {
    doc: 'experiment.name: the run folder under assets/outputs/gravity-vit (add it with +experiment.name=x)',
    format: Object,
    default: { name: 'default' },
  },
  seed: { doc: 'seeds weights and data order', format: intIn(0), default: 0 },
  model: {
    name: { doc: 'architecture', format: [...MODEL_NAMES], default: 'multiview_vit' },
    input_size: { doc: 'model input [height, width]', format: arrayOf('int', { length: 2 }), default: [64, 80] },
    channels: { doc: '1 (grey) or 3 (grey replicated)', format: [1, 3], default: 1 },
    pretrained: {
      doc: 'timm-layout safetensors for the ViT encoder (empty: from scratch)',
      format: String,
      default: '',
    },
    view: { doc: 'vit: the time window (s)', format: [...DURATIONS], default: '1.0' },
    vit: {
      patch_size: { doc: 'patch size (divides input_size)', format: intIn(1), default: 16 },
      dim: { doc: 'token dimension', format: intIn(1), default: 96 },
      depth: { doc: 'encoder blocks', format: intIn(1), default: 4 },
      heads: { doc: 'attention heads', format: intIn(1), default: 4 },
      mlp_dim: { doc: 'MLP hidden size', format: intIn(1), default: 192 },
      dropout: { doc: "dropout on the blocks' residual branches", format: probability, default: 0 },
    },
    fusion: {
      layers: { doc: 'cross-attention fusion layers', format: intIn(1), default: 2 },
      heads: { doc: 'fusion attention heads', format: intIn(1), default: 8 },
      mlp_dim: { doc: 'fusion MLP hidden size', format: intIn(1), default: 192 },
      dropout: { doc: 'fusion dropout (attention and residuals)', format: probability, default: 0.1 },
    },
    head_dim: { doc: 'hidden size of the per-class head', format: intIn(1), default: 96 },
    cnn: {
      filters: {
        doc: 'baseline_cnn: kernels of the four 5x5 conv blocks',
        format: arrayOf('int'),
        default: [16, 32, 64, 64],
      },
      dense_units: { doc: 'baseline_cnn: dense layer size', format: intIn(1), default: 256 },
      dropout: { doc: 'baseline_cnn: dropout after each block', format: probability, default: 0.5 },
    },
  },
  data: {
    name: { doc: 'dataset', format: ['synthetic', 'gravity_spy'], default: 'synthetic' },
    h5: { doc: "HDF5 file (empty: the dataset's file under assets/datasets)", format: String, default: '' },
    batch_size: { doc: 'training batch size', format: intIn(1), default: 32 },
    eval_batch_size: { doc: 'validation/test batch size', format: intIn(1), default: 64 },
    class_weights: { doc: 'weight the loss by inverse class frequency', format: Boolean, default: false },
    normalize: {
      mean: { doc: 'subtracted after resizing', format: Number, default: 0 },
      std: { doc: 'divided by after subtracting the mean', format: positive, default: 1 },
    },
    train_limit: { doc: 'N training samples spread over the classes (0 = all)', format: intIn(0), default: 0 },
    val_limit: { doc: 'N validation samples spread over the classes (0 = all)', format: intIn(0), default: 0 },
    test_limit: { doc: 'N test samples spread over the classes (0 = all)', format: intIn(0), default: 0 },
  },
  tracking: {
    mlflow: {
      doc: 'log runs to MLflow (MLFLOW_TRACKING_URI=http(s)://… or a local mlruns/ store)',
      format: Boolean,
      default: true,
    },
    store: { doc: 'local MLflow store (empty: assets/outputs/gravity-vit/mlruns)', format: String, default: '' },
  },
  train: {
    epochs: { doc: 'maximum epochs', format: intIn(1), default: 50 },
    device: {
      doc: 'tfjs backend (auto: the fastest installed)',
      format: ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'],
      default: 'auto',
    },
    optimizer: {
      name: { doc: 'optimizer', format: ['adamw', 'adam', 'sgd'], default: 'adamw' },
      lr: { doc: 'peak learning rate', format: positive, default: 1e-4 },
      weight_decay: { doc: 'weight decay', format: nonNegative, default: 0.05 },
      momentum: { doc: 'sgd momentum', format: numberIn(0, 1), default: 0.9 },
    },
    scheduler: {
      name: { doc: 'per-epoch LR schedule', format: ['warmup_cosine', 'cosine', 'constant'], default: 'warmup_cosine' },
      warmup_epochs: { doc: 'linear warm-up epochs (torch LinearLR)', format: intIn(0), default: 5 },
      warmup_start_factor: {
        doc: 'LR factor of the first warm-up epoch',
        format: numberIn(0, 1, { minExclusive: true }),
        default: 0.01,
      },
      eta_min: { doc: 'final LR of the cosine (torch CosineAnnealingLR)', format: nonNegative, default: 1e-6 },
    },
    loss: {
      name: { doc: 'cross_entropy or focal_loss', format: ['cross_entropy', 'focal_loss'], default: 'cross_entropy' },
      label_smoothing: { doc: 'cross_entropy label smoothing', format: probability, default: 0.1 },
      gamma: { doc: 'focal_loss focusing parameter (0 = cross-entropy)', format: nonNegative, default: 2 },
    },
    grad_clip: { doc: 'clip the global gradient norm (0 = off)', format: nonNegative, default: 1 },
    mixed_precision: {
      doc: 'AMP: half-precision forward/backward with a dynamic loss scaler (emulated, not faster, on wasm/cpu)',
      format: Boolean,
      default: false,
    },
    amp_dtype: { doc: 'half format of mixed_precision', format: ['float16', 'bfloat16'], default: 'float16' },
    early_stopping: {
      monitor: { doc: 'epoch metric watched', format: String, default: 'val_accuracy' },
      mode: { doc: 'min or max', format: ['min', 'max'], default: 'max' },
      patience: { doc: 'epochs without improvement before stopping', format: intIn(0), default: 10 },
    },
    checkpoint_monitor: {
      doc: 'epoch metric (maximised) that selects the best checkpoint',
      format: String,
      default: 'val_accuracy',
    },
    log_every: { doc: 'log every N batches', format: intIn(1), default: 20 },
  },
};

export const gravityVitSchema = schema;

export interface ComposedGravityConfig {
  config: GravityVitConfig;
  choices: GroupChoices;
}

/** Checks what the schema cannot: divisibility of the input by the patch size, heads dividing the dimensions. */
export function checkGravityConfig(config: GravityVitConfig): GravityVitConfig {
  const m = config.model;
  if (m.name !== 'baseline_cnn') {
    const [h, w] = m.input_size;
    if (h % m.vit.patch_size !== 0 || w % m.vit.patch_size !== 0) {
      throw new Error(`model.input_size ${h}x${w} is not divisible by model.vit.patch_size ${m.vit.patch_size}`);
    }
    if (m.vit.dim % m.vit.heads !== 0)
      throw new Error(`model.vit.dim ${m.vit.dim} is not divisible by model.vit.heads ${m.vit.heads}`);
    if (m.name === 'multiview_vit' && m.vit.dim % m.fusion.heads !== 0) {
      throw new Error(`model.vit.dim ${m.vit.dim} is not divisible by model.fusion.heads ${m.fusion.heads}`);
    }
  }
  if (typeof config.experiment?.name !== 'string' || config.experiment.name === '')
    throw new Error('experiment.name must be a non-empty string');
  return config;
}

/** Composes configs/config.yaml (or another root in CONFIG_DIR) with the overrides and checks it. */
export function composeGravityConfig(overrides: readonly string[] = [], configName = 'config'): ComposedGravityConfig {
  const { config, choices } = composeConfigDetailed<GravityVitConfig>({
    configDir: CONFIG_DIR,
    configName,
    overrides,
    schema,
  });
  return { config: checkGravityConfig(config), choices };
}
