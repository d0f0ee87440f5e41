export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping';
export { ProgressBar, formatDuration, type ProgressBarOptions } from './progress-bar';
export { TensorBoardLogger, type TensorBoardLoggerOptions, type ScalarWriter } from './tensor-board-logger';
export { MetricsLogger, type MetricsLoggerOptions, historyToCsv } from './metrics-logger';
export { NanGuard } from './nan-guard';
export type { MonitorMode } from './monitor';
