import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  arrayOf,
  BACKEND_PREFERENCES,
  checkHrnetConfig,
  composeConfig,
  intIn,
  numberIn,
  type BackendPreference,
  type ConfigSchema,
  type HrnetModelConfig as ArchitectureConfig,
  type HrnetStageConfig,
} from '@research/common';

/**
 * HRNet experiment files: the keys of the official HRNet-Image-Classification yaml files (yacs), composed and
 * validated by common's config layer like every app's config. Keys the official files carry only for
 * PyTorch/cuDNN/multi-GPU or that the run layer decides (GPUS, WORKERS, CUDNN, DEBUG, OUTPUT_DIR, LOG_DIR, BEGIN_EPOCH,
 * RESUME, TEST.MODEL_FILE, DATASET.ROOT, DATA_FORMAT) are not part of the schema: a run folder holds the outputs,
 * `--resume <run>` resumes and `evaluate --checkpoint` names the model. Additions of ours are NAME, BACKEND,
 * MODEL.IN_CHANNELS and MODEL.EXTRA.STEM_STRIDES (defaults reproduce the official network) and the TOPO section.
 */

/** The MODEL section: common's HRNet architecture (`buildHrnet` in @research/common) and the official NAME key. */
export interface HrnetModelConfig extends ArchitectureConfig {
  NAME: 'cls_hrnet';
}

export interface HrnetExperiment {
  /** The run folder's name under assets/outputs/hrnet (the experiment's short name). */
  NAME: string;
  BACKEND: BackendPreference;
  DATA_DIR: string;
  PRINT_FREQ: number;
  MODEL: HrnetModelConfig;
  DATASET: {
    DATASET: string;
    TRAIN_SET: string;
    TEST_SET: string;
    VAL_SIZE: number;
    TRAIN_LIMIT: number;
    TEST_LIMIT: number;
  };
  TRAIN: {
    LR: number;
    OPTIMIZER: 'sgd' | 'adam';
    MOMENTUM: number;
    WD: number;
    NESTEROV: boolean;
    LR_STEP: number[];
    LR_FACTOR: number;
    END_EPOCH: number;
    BATCH_SIZE_PER_GPU: number;
    ACCUMULATE_GRAD_BATCHES: number;
    SHUFFLE: boolean;
    SAMPLES_PER_EPOCH: number;
    SEED: number;
  };
  TEST: { BATCH_SIZE_PER_GPU: number };
  TOPO: TopologyConfig;
}

/** Our additions: the topology monitor, the topological regulariser and topology-guided selection. */
export interface TopologyConfig {
  /** Compute train/val diagrams every N epochs (0: never). */
  MONITOR_EVERY: number;
  /** Examples in each fixed probe sample (train and validation). */
  SAMPLES: number;
  /** How a branch's [H, W, C] map becomes a point: 'gap' (per-channel mean) or 'flatten' (FLATTEN_DIMS seeded coordinates). */
  REDUCE: 'gap' | 'flatten';
  FLATTEN_DIMS: number;
  /** Seed of the probe samples and coordinate subsets. */
  SEED: number;
  /** Weight of the Moor et al. distance-preservation loss on the pooled features (0: off). */
  REG_WEIGHT: number;
  /** Checkpoint-selection metric: val_acc (max), val_loss (min), topo_gap (min) or topo_score (max). */
  SELECT: 'val_acc' | 'val_loss' | 'topo_gap' | 'topo_score';
  /** topo_score = val_acc - SCORE_WEIGHT * topo_gap. */
  SCORE_WEIGHT: number;
  /** Stop after this many epochs without improvement of SELECT (0: no early stopping). */
  EARLY_STOP_PATIENCE: number;
}

/** The folder of the experiment files shipped with this paper. */
export const experimentsDir = path.resolve(__dirname, '..', 'experiments');

const positiveInt = intIn(1);
const natural = intIn(0);
const nonNegative = numberIn(0, Infinity);
const intList = arrayOf('int');

function stageSchema(doc: string): ConfigSchema<HrnetStageConfig> {
  // Stage keys have no meaningful default: a null default makes a missing key fail validation by name.
  const schema = {
    NUM_MODULES: { doc: `${doc}: number of HighResolutionModules`, format: positiveInt, default: null },
    NUM_BRANCHES: { doc: `${doc}: number of parallel resolutions`, format: positiveInt, default: null },
    BLOCK: { doc: `${doc}: residual block type`, format: ['BASIC', 'BOTTLENECK'], default: null },
    NUM_BLOCKS: { doc: `${doc}: blocks per branch`, format: intList, default: null },
    NUM_CHANNELS: { doc: `${doc}: channels per branch (before block expansion)`, format: intList, default: null },
    FUSE_METHOD: { doc: `${doc}: how branches are fused`, format: ['SUM'], default: 'SUM' },
  };
  return schema as unknown as ConfigSchema<HrnetStageConfig>; // convict's types have no null default for a required key
}

export const hrnetSchema: ConfigSchema<HrnetExperiment> = {
  NAME: { doc: 'run folder name under assets/outputs/hrnet', format: String, default: 'hrnet' },
  BACKEND: { doc: 'tfjs backend', format: [...BACKEND_PREFERENCES], default: 'auto' },
  DATA_DIR: { doc: 'parent of DATASET.DATASET (empty: assets/datasets)', format: String, default: '' },
  PRINT_FREQ: { doc: 'log every N iterations', format: positiveInt, default: 1000 },
  MODEL: {
    NAME: { doc: 'architecture', format: ['cls_hrnet'], default: 'cls_hrnet' },
    NUM_CLASSES: { doc: 'classifier outputs', format: positiveInt, default: 1000 },
    IMAGE_SIZE: {
      doc: '[width, height] of the network input',
      format: arrayOf('int', { length: 2 }),
      default: [224, 224],
    },
    IN_CHANNELS: { doc: 'input channels (3 for RGB, 1 for grey)', format: positiveInt, default: 3 },
    EXTRA: {
      STEM_STRIDES: {
        doc: 'strides of the two stem 3x3 convolutions',
        format: arrayOf('int', { length: 2 }),
        default: [2, 2],
      },
      STAGE1: stageSchema('stage 1'),
      STAGE2: stageSchema('stage 2'),
      STAGE3: stageSchema('stage 3'),
      STAGE4: stageSchema('stage 4'),
    },
  },
  DATASET: {
    DATASET: {
      doc: 'fashion-mnist, or a folder <DATA_DIR>/<DATASET>/images/{TRAIN_SET,TEST_SET}/<class>/*',
      format: String,
      default: 'imagenet',
    },
    TRAIN_SET: { doc: 'training split folder', format: String, default: 'train' },
    TEST_SET: { doc: 'validation split folder', format: String, default: 'val' },
    VAL_SIZE: {
      doc: 'examples held out of the training split for validation (datasets without a validation split)',
      format: natural,
      default: 5000,
    },
    TRAIN_LIMIT: {
      doc: 'use a stratified subset of this many training examples (0: all)',
      format: natural,
      default: 0,
    },
    TEST_LIMIT: { doc: 'use a stratified subset of this many test examples (0: all)', format: natural, default: 0 },
  },
  TRAIN: {
    LR: { doc: 'initial learning rate', format: nonNegative, default: 0.05 },
    OPTIMIZER: { doc: 'optimizer', format: ['sgd', 'adam'], default: 'sgd' },
    MOMENTUM: { doc: 'SGD momentum', format: nonNegative, default: 0.9 },
    WD: { doc: 'weight decay', format: nonNegative, default: 0.0001 },
    NESTEROV: { doc: 'Nesterov momentum', format: Boolean, default: true },
    LR_STEP: { doc: 'epochs at which the LR is multiplied by LR_FACTOR', format: intList, default: [30, 60, 90] },
    LR_FACTOR: { doc: 'LR decay factor', format: nonNegative, default: 0.1 },
    END_EPOCH: { doc: 'epochs to train', format: intIn(1, 1_000_000), default: 100 },
    BATCH_SIZE_PER_GPU: { doc: 'training batch size', format: positiveInt, default: 32 },
    ACCUMULATE_GRAD_BATCHES: {
      doc: 'batches whose gradients are averaged into one optimizer step (effective batch BATCH_SIZE_PER_GPU x this; BN sees one batch)',
      format: positiveInt,
      default: 1,
    },
    SHUFFLE: { doc: 'shuffle training data', format: Boolean, default: true },
    SAMPLES_PER_EPOCH: {
      doc: 'training examples per epoch, a fresh seeded draw from the whole training split each epoch (0: all)',
      format: natural,
      default: 0,
    },
    SEED: {
      doc: 'seed of the weights, data order, augmentation and splits',
      format: intIn(0, 2 ** 32 - 1),
      default: 0,
    },
  },
  TEST: {
    BATCH_SIZE_PER_GPU: { doc: 'validation batch size', format: positiveInt, default: 32 },
  },
  TOPO: {
    MONITOR_EVERY: {
      doc: 'compute train/val persistence diagrams every N epochs (0: never)',
      format: natural,
      default: 1,
    },
    SAMPLES: { doc: 'examples in each fixed probe sample', format: positiveInt, default: 64 },
    REDUCE: {
      doc: 'branch map to point: gap (per-channel mean) or flatten (FLATTEN_DIMS coordinates)',
      format: ['gap', 'flatten'],
      default: 'gap',
    },
    FLATTEN_DIMS: { doc: 'coordinates kept by REDUCE=flatten', format: positiveInt, default: 512 },
    SEED: { doc: 'seed of the probe samples', format: natural, default: 0 },
    REG_WEIGHT: {
      doc: 'weight of the Moor et al. 2020 topological loss on the pooled features (0: off)',
      format: nonNegative,
      default: 0,
    },
    SELECT: {
      doc: 'checkpoint selection metric',
      format: ['val_acc', 'val_loss', 'topo_gap', 'topo_score'],
      default: 'val_acc',
    },
    SCORE_WEIGHT: { doc: 'topo_score = val_acc - SCORE_WEIGHT * topo_gap', format: nonNegative, default: 1 },
    EARLY_STOP_PATIENCE: {
      doc: 'epochs without improvement of SELECT before stopping (0: off)',
      format: natural,
      default: 0,
    },
  },
};

/** Short name of an experiment file: `cls_hrnet_w18_small_v1_sgd_lr5e-2_wd1e-4_bs32_x100.yaml` -> `w18_small_v1`. */
export function experimentShortName(file: string): string {
  return path
    .basename(file)
    .replace(/\.ya?ml$/, '')
    .replace(/^cls_hrnet_/, '')
    .replace(/_sgd_.*$/, '');
}

/** The experiment files shipped in `experiments/`, by short name (file names without .yaml as values). */
export function listExperiments(): Map<string, string> {
  const files = fs
    .readdirSync(experimentsDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  return new Map(files.map((f) => [experimentShortName(f), f.replace(/\.ya?ml$/, '')]));
}

/**
 * A shipped experiment's config name from its short name (`w18`) or file name (with or without .yaml), or the
 * absolute path of a yaml file elsewhere.
 */
export function resolveExperiment(ref: string): string {
  const shipped = listExperiments();
  const byName = shipped.get(ref) ?? shipped.get(experimentShortName(ref));
  if (byName !== undefined && !ref.includes('/')) return byName;
  if (fs.existsSync(ref) && fs.statSync(ref).isFile()) return path.resolve(ref);
  if (byName !== undefined) return byName;
  throw new Error(`unknown experiment '${ref}': not a file, nor one of ${[...shipped.keys()].join(', ')}`);
}

/** Cross-key checks of a composed experiment (the official code checks the branch lists the same way). */
export function checkExperiment(exp: HrnetExperiment, source = 'experiment'): HrnetExperiment {
  checkHrnetConfig(exp.MODEL, source);
  const topo = exp.TOPO;
  if ((topo.SELECT === 'topo_gap' || topo.SELECT === 'topo_score') && topo.MONITOR_EVERY !== 1) {
    throw new Error(
      `${source}: TOPO.SELECT '${topo.SELECT}' needs the gap every epoch: TOPO.MONITOR_EVERY must be 1, got ${topo.MONITOR_EVERY}`,
    );
  }
  return exp;
}

/** An experiment by short name, file name or path, composed with `KEY.PATH=value` overrides and checked. */
export function loadExperiment(ref: string, overrides: readonly string[] = []): HrnetExperiment {
  const resolved = resolveExperiment(ref);
  const [configDir, configName] = path.isAbsolute(resolved)
    ? [path.dirname(resolved), path.basename(resolved).replace(/\.ya?ml$/, '')]
    : [experimentsDir, resolved];
  return checkExperiment(
    composeConfig<HrnetExperiment>({ configDir, configName, overrides, schema: hrnetSchema }),
    `${resolved}.yaml`,
  );
}
