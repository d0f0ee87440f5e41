// The public surface of the training module.
export * from './optim';
export * from './losses';
export * from './callbacks';
export type { Callback, FitResult, TrainBatchInfo, TrainerView } from './callback';
export { evaluate, batchSizeOf, type EvaluateOptions } from './evaluate';
export {
  type TrainModule,
  type WeightOwner,
  type StepContext,
  type TrainingStepOutput,
  type EvaluationStepOutput,
  type ModuleParameters,
  type ClassificationModuleOptions,
  classificationModule,
  moduleParameters,
} from './module';
export { Trainer, type TrainerOptions, type FitOptions } from './trainer';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadModuleWeights,
  assignModuleWeights,
  checkModuleWeights,
  checkResumable,
  type Checkpoint,
  type TrainerState,
  type EpochRecord,
} from './checkpoint';
export { seedEverything, unseedEverything, getGlobalRngState, setGlobalRngState, type RngState } from './seed';
export * from './lr-finder';
export * from './privacy';
export * from './strategy';
export * from './precision';
export * from './distributed';
