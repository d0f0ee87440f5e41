// The one front door of every app: argv + overrides -> composed config -> backend -> run folder -> fit -> test.
export type {
  AppDefinition,
  AfterTestContext,
  ClassifierOutputs,
  Experiment,
  SetupContext,
  TrainerSettings,
} from './app';
export { trainRun, runConfig, type TrainRunOptions, type RunResult } from './train-run';
export { evaluateRun, type EvaluateRunOptions, type EvaluateResult } from './evaluate-run';
export { evaluateOnnx, type EvaluateOnnxOptions } from './evaluate-onnx';
export {
  exportRun,
  exportRuns,
  matchCheckpoints,
  describeExport,
  formatBenchmark,
  exportPassed,
  type ExportRunOptions,
  type ExportRunResult,
} from './export-run';
export { appProgram, exitWithParent, runApp } from './cli';
export { configHelp } from './help';
export {
  createNamedRunDir,
  createRunDir,
  runTimestamp,
  checkPathName,
  checkWritable,
  describeFsError,
} from './run-dir';
export { locateRun, type RunLocation } from './checkpoints';
export { readRunInfo, type RunInfo } from './run-info';
export { closingSummary, writeClassifierReport, writeLabelReport, writeCurves } from './artifacts';
