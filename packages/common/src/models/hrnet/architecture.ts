// The architecture of an HRNet-C network in the official files' terms (the MODEL section of HRNet-Image-Classification's
// experiment yaml files, key names kept), and the cross-key checks the official code relies on.

export type HrnetBlockType = 'BASIC' | 'BOTTLENECK';

/** One `MODEL.EXTRA.STAGE<k>` table. */
export interface HrnetStageConfig {
  NUM_MODULES: number;
  NUM_BRANCHES: number;
  BLOCK: HrnetBlockType;
  NUM_BLOCKS: number[];
  NUM_CHANNELS: number[];
  FUSE_METHOD: 'SUM';
}

export interface HrnetStages {
  STAGE1: HrnetStageConfig;
  STAGE2: HrnetStageConfig;
  STAGE3: HrnetStageConfig;
  STAGE4: HrnetStageConfig;
}

export const HRNET_STAGE_NAMES = ['STAGE1', 'STAGE2', 'STAGE3', 'STAGE4'] as const;

/** The MODEL section: IN_CHANNELS and EXTRA.STEM_STRIDES are additions (3 and [2, 2] give the official network). */
export interface HrnetModelConfig {
  NUM_CLASSES: number;
  /** [width, height], as in the official files. */
  IMAGE_SIZE: number[];
  IN_CHANNELS: number;
  EXTRA: HrnetStages & {
    /** Strides of the two 3x3 stem convolutions; the official network uses [2, 2]. */
    STEM_STRIDES: number[];
  };
}

/**
 * Cross-key constraints of an architecture (the official code assumes them): stage k has k branches, one block count
 * and one width per branch, stage 1 is one module, and the image halves exactly at every resolution. Throws
 * `<source>: <key>: <what was expected>`.
 */
export function checkHrnetConfig(model: HrnetModelConfig, source: string): void {
  const fail = (key: string, message: string): never => {
    throw new Error(`${source}: ${key}: ${message}`);
  };
  const positive = (key: string, list: number[]) => {
    if (list.some((v) => !(v > 0))) fail(key, `must hold positive integers, got ${JSON.stringify(list)}`);
  };
  positive('MODEL.IMAGE_SIZE', model.IMAGE_SIZE);
  positive('MODEL.EXTRA.STEM_STRIDES', model.EXTRA.STEM_STRIDES);
  HRNET_STAGE_NAMES.forEach((name, index) => {
    const stage = model.EXTRA[name];
    const key = `MODEL.EXTRA.${name}`;
    positive(`${key}.NUM_BLOCKS`, stage.NUM_BLOCKS);
    positive(`${key}.NUM_CHANNELS`, stage.NUM_CHANNELS);
    if (stage.NUM_BRANCHES !== index + 1) {
      fail(
        `${key}.NUM_BRANCHES`,
        `must be ${index + 1} (HRNet stage ${index + 1} has ${index + 1} resolutions), got ${stage.NUM_BRANCHES}`,
      );
    }
    if (stage.NUM_BLOCKS.length !== stage.NUM_BRANCHES) {
      fail(`${key}.NUM_BLOCKS`, `has ${stage.NUM_BLOCKS.length} entries but NUM_BRANCHES is ${stage.NUM_BRANCHES}`);
    }
    if (stage.NUM_CHANNELS.length !== stage.NUM_BRANCHES) {
      fail(`${key}.NUM_CHANNELS`, `has ${stage.NUM_CHANNELS.length} entries but NUM_BRANCHES is ${stage.NUM_BRANCHES}`);
    }
  });
  if (model.EXTRA.STAGE1.NUM_MODULES !== 1) {
    fail(
      'MODEL.EXTRA.STAGE1.NUM_MODULES',
      `must be 1 (stage 1 is a single residual layer), got ${model.EXTRA.STAGE1.NUM_MODULES}`,
    );
  }
  // The fuse layers add a nearest-upsampled lower branch to a higher one, so every branch must halve exactly.
  const divisor = model.EXTRA.STEM_STRIDES[0] * model.EXTRA.STEM_STRIDES[1] * 8;
  if (model.IMAGE_SIZE.some((s) => s % divisor !== 0)) {
    fail(
      'MODEL.IMAGE_SIZE',
      `${JSON.stringify(model.IMAGE_SIZE)} must be divisible by ${divisor} (stem strides x 8 for the 4 resolutions)`,
    );
  }
}
