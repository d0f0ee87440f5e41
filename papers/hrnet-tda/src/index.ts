// @research/hrnet-tda: HRNet classifiers (official HRNet-Image-Classification architecture and recipes).
export {
  loadExperiment,
  checkExperiment,
  resolveExperiment,
  listExperiments,
  experimentShortName,
  experimentsDir,
  hrnetSchema,
  type HrnetExperiment,
  type HrnetModelConfig,
} from './config';
export { hrnetApp, trainerSettings, scheduleFor, selectMode } from './app';
// The architecture (buildHrnet, featureModel, the variant tables, torch weight loading) is common's: import it from
// @research/common (models/hrnet).
export { formatSummary, layerTable, countTrainableParams, type LayerRow } from './summary';
