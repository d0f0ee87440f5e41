// Reading run folders back (config.yaml, metrics.json, results.json, TensorBoard events, PNGs): the dashboard's and
// the report's view of what runs write.
export {
  findRuns,
  findRunDirs,
  latestWrite,
  summarizeRun,
  isRunDir,
  readRunConfig,
  readRunResults,
  readRunMetrics,
  readRunScalars,
  readRunImages,
  listRunPngs,
  eventDirs,
  diffConfigs,
  flattenObject,
  RUNNING_WINDOW_SECONDS,
  type RunSummary,
  type ScalarSeries,
} from './run-folder';
export {
  isMlflowRunDir,
  readMlflowRunMeta,
  readMlflowScalars,
  readMlflowParams,
  readMlflowTags,
  type MlflowRunMeta,
} from './mlflow-runs';
