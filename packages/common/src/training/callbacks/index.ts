export { ModelCheckpoint, type ModelCheckpointOptions } from './modelCheckpoint';
export { EarlyStopping, type EarlyStoppingOptions } from './earlyStopping';
export { ProgressBar, formatDuration, type ProgressBarOptions } from './progressBar';
export { TensorBoardLogger, type TensorBoardLoggerOptions, type ScalarWriter } from './tensorBoardLogger';
export { MetricsLogger, type MetricsLoggerOptions, historyToCsv } from './metricsLogger';
export { NanGuard } from './nanGuard';
export type { MonitorMode } from './monitor';
