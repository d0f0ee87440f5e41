// The public surface of the tracking module: MLflow runs, written to a local `mlruns/` file store in MLflow's format
// or sent to an MLflow server's REST API (MLFLOW_TRACKING_URI=http(s)://…), and a Trainer callback that logs a fit.
export type { MetricPoint, RunStatus, StartRunOptions, TrackedRun, TrackingBackend } from './types';
export { MlflowFileStore, checkMlflowKey } from './file-store';
export {
  MlflowRestClient,
  MlflowRestError,
  mlflowRestOptionsFromEnv,
  splitLogBatch,
  LOG_BATCH_LIMITS,
  type MlflowRestOptions,
} from './rest-client';
export { createTrackingBackend, gitCommit } from './tracker';
export { MlflowCallback, flattenParams, type MlflowCallbackOptions } from './callback';
export { pythonFloatRepr } from './python-float';
