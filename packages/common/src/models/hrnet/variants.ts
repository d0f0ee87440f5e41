// The nine official HRNet-C architectures: MODEL.EXTRA of HRNet-Image-Classification's experiment files
// `experiments/cls_hrnet_<variant>_sgd_lr5e-2_wd1e-4_bs32_x100.yaml` (hrnet.test.ts checks each table against
// golden/hrnet_params.json, which scripts/golden/hrnet_params.py reads from those files).
import type { HrnetBlockType, HrnetStageConfig, HrnetStages } from './architecture';

export const HRNET_VARIANTS = [
  'w18_small_v1',
  'w18_small_v2',
  'w18',
  'w30',
  'w32',
  'w40',
  'w44',
  'w48',
  'w64',
] as const;
export type HrnetVariant = (typeof HRNET_VARIANTS)[number];

function stage(modules: number, block: HrnetBlockType, blocks: number[], channels: number[]): HrnetStageConfig {
  return {
    NUM_MODULES: modules,
    NUM_BRANCHES: channels.length,
    BLOCK: block,
    NUM_BLOCKS: blocks,
    NUM_CHANNELS: channels,
    FUSE_METHOD: 'SUM',
  };
}

/** The full-size networks: stage 1 has 4 bottlenecks of width 64, 1/4/3 modules of 4-block branches, width W. */
function wide(w: number): HrnetStages {
  return {
    STAGE1: stage(1, 'BOTTLENECK', [4], [64]),
    STAGE2: stage(1, 'BASIC', [4, 4], [w, 2 * w]),
    STAGE3: stage(4, 'BASIC', [4, 4, 4], [w, 2 * w, 4 * w]),
    STAGE4: stage(3, 'BASIC', [4, 4, 4, 4], [w, 2 * w, 4 * w, 8 * w]),
  };
}

/** A copy of a variant's stage tables (callers may edit it). */
export function hrnetStages(variant: HrnetVariant): HrnetStages {
  switch (variant) {
    case 'w18_small_v1':
      return {
        STAGE1: stage(1, 'BOTTLENECK', [1], [32]),
        STAGE2: stage(1, 'BASIC', [2, 2], [16, 32]),
        STAGE3: stage(1, 'BASIC', [2, 2, 2], [16, 32, 64]),
        STAGE4: stage(1, 'BASIC', [2, 2, 2, 2], [16, 32, 64, 128]),
      };
    case 'w18_small_v2':
      return {
        STAGE1: stage(1, 'BOTTLENECK', [2], [64]),
        STAGE2: stage(1, 'BASIC', [2, 2], [18, 36]),
        STAGE3: stage(3, 'BASIC', [2, 2, 2], [18, 36, 72]),
        STAGE4: stage(2, 'BASIC', [2, 2, 2, 2], [18, 36, 72, 144]),
      };
    case 'w18':
      return wide(18);
    case 'w30':
      return wide(30);
    case 'w32':
      return wide(32);
    case 'w40':
      return wide(40);
    case 'w44':
      return wide(44);
    case 'w48':
      return wide(48);
    case 'w64':
      return wide(64);
  }
}
