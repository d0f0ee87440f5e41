// The public surface of the training module.
export * from './optim';
export * from './losses';
export * from './callbacks';
export type { Callback, TrainBatchInfo } from './callback';
export {
  type TrainModule,
  type StepContext,
  type TrainingStepOutput,
  type EvaluationStepOutput,
  type ModuleParameters,
  type ClassificationModuleOptions,
  classificationModule,
  moduleParameters,
} from './module';
export { Trainer, batchSizeOf, type TrainerOptions, type FitOptions, type FitResult } from './trainer';
export { saveCheckpoint, loadCheckpoint, loadModuleWeights, assignModuleWeights, type Checkpoint, type TrainerState, type EpochRecord } from './checkpoint';
export { seedEverything, unseedEverything, getGlobalRngState, setGlobalRngState, type RngState } from './seed';
export * from './privacy';
export * from './strategy';
export * from './precision';
