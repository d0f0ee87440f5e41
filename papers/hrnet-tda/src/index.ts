// @research/hrnet-tda: HRNet classifiers (official HRNet-Image-Classification architecture and recipes).
export {
  loadExperiment,
  checkExperiment,
  resolveExperiment,
  listExperiments,
  experimentShortName,
  experimentsDir,
  hrnetSchema,
  STAGE_NAMES,
  type HrnetExperiment,
  type HrnetModelConfig,
  type StageConfig,
  type BlockType,
} from './config';
export { hrnetApp, trainerSettings, scheduleFor, selectMode } from './app';
export {
  buildHrnet,
  featureModel,
  POOLED_LAYER,
  HEAD_CHANNELS,
  HEAD_FEATURES,
  BLOCK_EXPANSION,
  type HrnetBuild,
} from './model/hrnet';
export { type InitOptions, type WeightInit } from './model/layers';
export { formatSummary, layerTable, countTrainableParams, type LayerRow } from './model/summary';
export { loadTorchStateDict, torchStateDictShapes, type TorchTensor } from './model/torch-weights';
