// HRNet-C (HRNet-Image-Classification's cls_hrnet): the builder for any MODEL section, the nine official variants
// registered as hrnet_<variant> (hrnet_w18_small is timm's name for hrnet_w18_small_v1), feature taps per branch.
import { registerModel, registerModelAlias } from '../registry';
import { createHrnet } from './hrnet';
import { HRNET_VARIANTS, hrnetStages } from './variants';

export { checkHrnetConfig, HRNET_STAGE_NAMES } from './architecture';
export type { HrnetBlockType, HrnetModelConfig, HrnetStageConfig, HrnetStages } from './architecture';
export {
  BLOCK_EXPANSION,
  buildHrnet,
  createHrnet,
  featureModel,
  HEAD_CHANNELS,
  HEAD_FEATURES,
  POOLED_LAYER,
} from './hrnet';
export type { HrnetBuild } from './hrnet';
export type { InitOptions, WeightInit } from './layers';
export { HRNET_VARIANTS, hrnetStages } from './variants';
export type { HrnetVariant } from './variants';

for (const variant of HRNET_VARIANTS) {
  const widths = hrnetStages(variant).STAGE4.NUM_CHANNELS.join('/');
  registerModel(
    `hrnet_${variant}`,
    (options) => createHrnet(variant, options),
    `HRNet-${variant.toUpperCase().replace('_SMALL', '-Small').replace('_V', '-v')}-C (official cls_hrnet, branches ${widths})`,
  );
}
registerModelAlias('hrnet_w18_small', 'hrnet_w18_small_v1');
