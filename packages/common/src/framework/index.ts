// The image-classification framework's shared core (tools init-config, split, lr-finder, train, inference): its
// config schema and documented YAML, loading with overrides, and the datasets, transforms and optimizer/schedule
// specs a config describes.
export { frameworkSchema, OPTIMIZER_NAMES, SCHEDULER_NAMES, type FrameworkConfig } from './config-schema';
export {
  checkSearchSection,
  searchSpaceEntries,
  type SearchDistribution,
  type SearchSection,
  type SearchSpaceTree,
} from './search-section';
export { renderFrameworkConfig } from './config-template';
export { crossCheckFrameworkConfig, loadFrameworkConfig } from './load-config';
export {
  frameworkDataset,
  frameworkOptimizerSpec,
  frameworkScheduleSpec,
  frameworkTransforms,
  type FrameworkSplit,
} from './build';
export { buildInitialConfig, defaultSearchSection, type InitConfigOptions, type InitConfigResult } from './init-config';
export { runFrameworkLrFinder, type FrameworkLrFinderOptions, type FrameworkLrFinderRun } from './lr-finder-run';
export {
  frameworkApp,
  frameworkModel,
  frameworkRunName,
  frameworkTrainerSettings,
  type FrameworkAppOptions,
} from './app';
export {
  frameworkClassNames,
  listInputImages,
  loadFrameworkRun,
  onnxLogits,
  predictImages,
  tfjsLogits,
  writePredictionsCsv,
  type FrameworkRunModel,
  type ImagePrediction,
  type LogitsFunction,
} from './predict';
export {
  openSearchStudy,
  paramOverrides,
  resolveSearchPlan,
  suggestParams,
  type OpenStudyOptions,
  type SearchFlags,
  type SearchPlan,
} from './search-plan';
export {
  concludeSearch,
  runSearchWorker,
  SearchAbortedError,
  searchSummary,
  writeBestConfig,
  type SearchOutcome,
  type SearchWorkerOptions,
} from './search-run';
export { trainerTypeSchema, type TrainerTypeSection } from './trainer-type-schema';
