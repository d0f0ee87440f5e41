import * as fs from 'fs';
import * as path from 'path';
import convict from 'convict';
import { parse as parseYaml } from 'yaml';

/**
 * HRNet experiment files: the keys of the official HRNet-Image-Classification yaml files (yacs), validated with a
 * convict schema. Keys the official files carry only for PyTorch/cuDNN/multi-GPU (GPUS, WORKERS, CUDNN, DEBUG) are
 * not part of the schema; additions of ours are MODEL.IN_CHANNELS and MODEL.EXTRA.STEM_STRIDES (defaults reproduce
 * the official network).
 */

export type BlockType = 'BASIC' | 'BOTTLENECK';

export interface StageConfig {
  NUM_MODULES: number;
  NUM_BRANCHES: number;
  BLOCK: BlockType;
  NUM_BLOCKS: number[];
  NUM_CHANNELS: number[];
  FUSE_METHOD: 'SUM';
}

export interface HrnetModelConfig {
  NAME: 'cls_hrnet';
  NUM_CLASSES: number;
  /** [width, height], as in the official files. */
  IMAGE_SIZE: number[];
  IN_CHANNELS: number;
  EXTRA: {
    /** Strides of the two 3x3 stem convolutions; the official network uses [2, 2]. */
    STEM_STRIDES: number[];
    STAGE1: StageConfig;
    STAGE2: StageConfig;
    STAGE3: StageConfig;
    STAGE4: StageConfig;
  };
}

export interface HrnetExperiment {
  OUTPUT_DIR: string;
  LOG_DIR: string;
  DATA_DIR: string;
  PRINT_FREQ: number;
  MODEL: HrnetModelConfig;
  DATASET: {
    DATASET: string; ROOT: string; TRAIN_SET: string; TEST_SET: string; DATA_FORMAT: string;
    VAL_SIZE: number; TRAIN_LIMIT: number; TEST_LIMIT: number;
  };
  TRAIN: {
    LR: number;
    OPTIMIZER: 'sgd' | 'adam';
    MOMENTUM: number;
    WD: number;
    NESTEROV: boolean;
    LR_STEP: number[];
    LR_FACTOR: number;
    BEGIN_EPOCH: number;
    END_EPOCH: number;
    BATCH_SIZE_PER_GPU: number;
    ACCUMULATE_GRAD_BATCHES: number;
    RESUME: boolean;
    SHUFFLE: boolean;
    SAMPLES_PER_EPOCH: number;
    SEED: number;
  };
  TEST: { BATCH_SIZE_PER_GPU: number; MODEL_FILE: string };
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

export const STAGE_NAMES = ['STAGE1', 'STAGE2', 'STAGE3', 'STAGE4'] as const;

/** The folder of the experiment files shipped with this paper. */
export const experimentsDir = path.resolve(__dirname, '..', 'experiments');

/** A convict format that names what was expected, and says "missing" when a key without default is absent. */
function format(expected: string, ok: (val: unknown) => boolean): (val: unknown) => void {
  return (val) => {
    if (val === null || val === undefined) throw new Error(`is missing: expected ${expected}`);
    if (!ok(val)) throw new Error(`must be ${expected}`);
  };
}

const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const positiveInt = format('a positive integer', isPositiveInt);
const nonNegativeNumber = format('a non-negative number', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
const positiveIntList = format('a non-empty list of positive integers', (v) => Array.isArray(v) && v.length > 0 && v.every(isPositiveInt));
const nonNegativeIntList = format('a list of non-negative integers', (v) => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0));
const blockType = format('BASIC or BOTTLENECK', (v) => v === 'BASIC' || v === 'BOTTLENECK');

function stageSchema(doc: string) {
  // Stage keys have no meaningful default: a null default makes a missing key fail validation by name.
  return {
    NUM_MODULES: { doc: `${doc}: number of HighResolutionModules`, format: positiveInt, default: null },
    NUM_BRANCHES: { doc: `${doc}: number of parallel resolutions`, format: positiveInt, default: null },
    BLOCK: { doc: `${doc}: residual block type`, format: blockType, default: null },
    NUM_BLOCKS: { doc: `${doc}: blocks per branch`, format: positiveIntList, default: null },
    NUM_CHANNELS: { doc: `${doc}: channels per branch (before block expansion)`, format: positiveIntList, default: null },
    FUSE_METHOD: { doc: `${doc}: how branches are fused`, format: ['SUM'], default: 'SUM' },
  };
}

const schema = {
  OUTPUT_DIR: { doc: 'where checkpoints go', format: String, default: 'output/' },
  LOG_DIR: { doc: 'where logs go', format: String, default: 'log/' },
  DATA_DIR: { doc: 'parent of DATASET.DATASET/images', format: String, default: '' },
  PRINT_FREQ: { doc: 'log every N iterations', format: positiveInt, default: 1000 },
  MODEL: {
    NAME: { doc: 'architecture', format: ['cls_hrnet'], default: 'cls_hrnet' },
    NUM_CLASSES: { doc: 'classifier outputs', format: positiveInt, default: 1000 },
    IMAGE_SIZE: { doc: '[width, height] of the network input', format: positiveIntList, default: [224, 224] },
    IN_CHANNELS: { doc: 'input channels (3 for RGB, 1 for grey)', format: positiveInt, default: 3 },
    EXTRA: {
      STEM_STRIDES: { doc: 'strides of the two stem 3x3 convolutions', format: positiveIntList, default: [2, 2] },
      STAGE1: stageSchema('stage 1'),
      STAGE2: stageSchema('stage 2'),
      STAGE3: stageSchema('stage 3'),
      STAGE4: stageSchema('stage 4'),
    },
  },
  DATASET: {
    DATASET: { doc: 'dataset name (folder under DATA_DIR)', format: String, default: 'imagenet' },
    ROOT: { doc: 'dataset root', format: String, default: 'data/imagenet/' },
    TRAIN_SET: { doc: 'training split folder', format: String, default: 'train' },
    TEST_SET: { doc: 'validation split folder', format: String, default: 'val' },
    DATA_FORMAT: { doc: 'image file format', format: String, default: 'jpg' },
    VAL_SIZE: { doc: 'examples held out of the training split for validation (datasets without a validation split)', format: 'nat', default: 5000 },
    TRAIN_LIMIT: { doc: 'use a stratified subset of this many training examples (0: all)', format: 'nat', default: 0 },
    TEST_LIMIT: { doc: 'use a stratified subset of this many test examples (0: all)', format: 'nat', default: 0 },
  },
  TRAIN: {
    LR: { doc: 'initial learning rate', format: nonNegativeNumber, default: 0.05 },
    OPTIMIZER: { doc: 'optimizer', format: ['sgd', 'adam'], default: 'sgd' },
    MOMENTUM: { doc: 'SGD momentum', format: nonNegativeNumber, default: 0.9 },
    WD: { doc: 'weight decay', format: nonNegativeNumber, default: 0.0001 },
    NESTEROV: { doc: 'Nesterov momentum', format: Boolean, default: true },
    LR_STEP: { doc: 'epochs at which the LR is multiplied by LR_FACTOR', format: nonNegativeIntList, default: [30, 60, 90] },
    LR_FACTOR: { doc: 'LR decay factor', format: nonNegativeNumber, default: 0.1 },
    BEGIN_EPOCH: { doc: 'first epoch', format: 'nat', default: 0 },
    END_EPOCH: { doc: 'epoch to stop before', format: positiveInt, default: 100 },
    BATCH_SIZE_PER_GPU: { doc: 'training batch size', format: positiveInt, default: 32 },
    ACCUMULATE_GRAD_BATCHES: {
      doc: 'batches whose gradients are averaged into one optimizer step (effective batch BATCH_SIZE_PER_GPU x this; BN sees one batch)',
      format: positiveInt, default: 1,
    },
    RESUME: { doc: 'resume from the last checkpoint', format: Boolean, default: true },
    SHUFFLE: { doc: 'shuffle training data', format: Boolean, default: true },
    SAMPLES_PER_EPOCH: {
      doc: 'training examples per epoch, a fresh seeded draw from the whole training split each epoch (0: all)',
      format: 'nat', default: 0,
    },
    SEED: { doc: 'seed of the weights, data order, augmentation and splits', format: 'nat', default: 0 },
  },
  TEST: {
    BATCH_SIZE_PER_GPU: { doc: 'validation batch size', format: positiveInt, default: 32 },
    MODEL_FILE: { doc: 'checkpoint to validate', format: String, default: '' },
  },
  TOPO: {
    MONITOR_EVERY: { doc: 'compute train/val persistence diagrams every N epochs (0: never)', format: 'nat', default: 1 },
    SAMPLES: { doc: 'examples in each fixed probe sample', format: positiveInt, default: 64 },
    REDUCE: { doc: 'branch map to point: gap (per-channel mean) or flatten (FLATTEN_DIMS coordinates)', format: ['gap', 'flatten'], default: 'gap' },
    FLATTEN_DIMS: { doc: 'coordinates kept by REDUCE=flatten', format: positiveInt, default: 512 },
    SEED: { doc: 'seed of the probe samples', format: 'nat', default: 0 },
    REG_WEIGHT: { doc: 'weight of the Moor et al. 2020 topological loss on the pooled features (0: off)', format: nonNegativeNumber, default: 0 },
    SELECT: { doc: 'checkpoint selection metric', format: ['val_acc', 'val_loss', 'topo_gap', 'topo_score'], default: 'val_acc' },
    SCORE_WEIGHT: { doc: 'topo_score = val_acc - SCORE_WEIGHT * topo_gap', format: nonNegativeNumber, default: 1 },
    EARLY_STOP_PATIENCE: { doc: 'epochs without improvement of SELECT before stopping (0: off)', format: 'nat', default: 0 },
  },
};

/** Validates a parsed experiment object; `source` names it (a file path) in error messages. */
export function validateExperiment(raw: unknown, source: string): HrnetExperiment {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`Invalid experiment file ${source}: expected a YAML mapping at the top level`);
  }
  const config = convict(schema, { env: {}, args: [] });
  try {
    config.load(raw);
    config.validate({ allowed: 'strict' });
  } catch (err) {
    throw new Error(`Invalid experiment file ${source}: ${(err as Error).message}`, { cause: err });
  }
  const experiment = config.getProperties() as unknown as HrnetExperiment;
  checkArchitecture(experiment.MODEL, source);
  const topo = experiment.TOPO;
  if ((topo.SELECT === 'topo_gap' || topo.SELECT === 'topo_score') && topo.MONITOR_EVERY !== 1) {
    throw new Error(`Invalid experiment file ${source}: TOPO.SELECT '${topo.SELECT}' needs the gap every epoch: TOPO.MONITOR_EVERY must be 1, got ${topo.MONITOR_EVERY}`);
  }
  return experiment;
}

/**
 * Applies `KEY.PATH=value` overrides to a parsed experiment (values parsed as YAML: `TRAIN.LR=0.01`,
 * `TRAIN.LR_STEP=[2,4]`, `TRAIN.NESTEROV=false`). Unknown keys are reported by validation.
 */
export function applyOverrides(raw: Record<string, unknown>, overrides: readonly string[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const item of overrides) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`Invalid override '${item}': expected KEY.PATH=value (e.g. TRAIN.LR=0.01)`);
    const keys = item.slice(0, eq).split('.');
    let node: Record<string, unknown> = out;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === undefined) node[key] = {};
      else if (next === null || typeof next !== 'object' || Array.isArray(next)) {
        throw new Error(`Invalid override '${item}': '${key}' is not a section`);
      }
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = parseYaml(item.slice(eq + 1));
  }
  return out;
}

/** Constraints that span several keys (the official code checks the branch lists the same way). */
function checkArchitecture(model: HrnetModelConfig, source: string): void {
  const fail = (key: string, message: string): never => {
    throw new Error(`Invalid experiment file ${source}: ${key}: ${message}`);
  };
  STAGE_NAMES.forEach((name, index) => {
    const stage = model.EXTRA[name];
    const key = `MODEL.EXTRA.${name}`;
    if (stage.NUM_BRANCHES !== index + 1) {
      fail(`${key}.NUM_BRANCHES`, `must be ${index + 1} (HRNet stage ${index + 1} has ${index + 1} resolutions), got ${stage.NUM_BRANCHES}`);
    }
    if (stage.NUM_BLOCKS.length !== stage.NUM_BRANCHES) {
      fail(`${key}.NUM_BLOCKS`, `has ${stage.NUM_BLOCKS.length} entries but NUM_BRANCHES is ${stage.NUM_BRANCHES}`);
    }
    if (stage.NUM_CHANNELS.length !== stage.NUM_BRANCHES) {
      fail(`${key}.NUM_CHANNELS`, `has ${stage.NUM_CHANNELS.length} entries but NUM_BRANCHES is ${stage.NUM_BRANCHES}`);
    }
  });
  if (model.EXTRA.STAGE1.NUM_MODULES !== 1) {
    fail('MODEL.EXTRA.STAGE1.NUM_MODULES', `must be 1 (stage 1 is a single residual layer), got ${model.EXTRA.STAGE1.NUM_MODULES}`);
  }
  if (model.IMAGE_SIZE.length !== 2) fail('MODEL.IMAGE_SIZE', `must be [width, height], got ${JSON.stringify(model.IMAGE_SIZE)}`);
  if (model.EXTRA.STEM_STRIDES.length !== 2) {
    fail('MODEL.EXTRA.STEM_STRIDES', `must list the strides of the 2 stem convolutions, got ${JSON.stringify(model.EXTRA.STEM_STRIDES)}`);
  }
  // The fuse layers add a nearest-upsampled lower branch to a higher one, so every branch must halve exactly.
  const divisor = model.EXTRA.STEM_STRIDES[0] * model.EXTRA.STEM_STRIDES[1] * 8;
  if (model.IMAGE_SIZE.some((s) => s % divisor !== 0)) {
    fail('MODEL.IMAGE_SIZE', `${JSON.stringify(model.IMAGE_SIZE)} must be divisible by ${divisor} (stem strides x 8 for the 4 resolutions)`);
  }
}

/** Short name of an experiment file: `cls_hrnet_w18_small_v1_sgd_lr5e-2_wd1e-4_bs32_x100.yaml` -> `w18_small_v1`. */
export function experimentShortName(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/, '').replace(/^cls_hrnet_/, '').replace(/_sgd_.*$/, '');
}

/** The experiment files shipped in `experiments/`, by short name. */
export function listExperiments(): Map<string, string> {
  const files = fs.readdirSync(experimentsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
  return new Map(files.map((f) => [experimentShortName(f), path.join(experimentsDir, f)]));
}

/** Resolves a path to a yaml file, a shipped file's name (with or without .yaml), or its short name (`w18`). */
export function resolveExperimentPath(ref: string): string {
  if (fs.existsSync(ref) && fs.statSync(ref).isFile()) return path.resolve(ref);
  const shipped = listExperiments();
  const byShortName = shipped.get(ref) ?? shipped.get(experimentShortName(ref));
  if (byShortName !== undefined) return byShortName;
  throw new Error(`Unknown experiment '${ref}': not a file, nor one of ${[...shipped.keys()].join(', ')}`);
}

/** Reads and validates an experiment file given as a path or a shipped name, with optional KEY=value overrides. */
export function loadExperiment(ref: string, overrides: readonly string[] = []): HrnetExperiment {
  const file = resolveExperimentPath(ref);
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Invalid experiment file ${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (overrides.length > 0 && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    raw = applyOverrides(raw as Record<string, unknown>, overrides);
  }
  return validateExperiment(raw, overrides.length > 0 ? `${file} (with ${overrides.join(' ')})` : file);
}
