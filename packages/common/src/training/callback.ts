import type { Checkpoint, EpochRecord } from './checkpoint';
import type { TrainModule } from './module';

export interface FitResult {
  history: EpochRecord[];
  globalStep: number;
  /** Epochs completed. */
  epochs: number;
  /** Set when a callback stopped the fit (early stopping, NaN guard). */
  stopReason?: string;
}

/**
 * What a callback sees of the trainer (Lightning passes the Trainer; here a view, so callbacks do not depend on the
 * loop's class and a test can drive them with a plain object).
 */
export interface TrainerView {
  readonly maxEpochs: number;
  /** Epochs completed (the index of the next epoch to run). */
  readonly epoch: number;
  readonly globalStep: number;
  readonly history: readonly EpochRecord[];
  /** How often (in batches) loggers and progress lines report. */
  readonly logEveryNSteps: number;
  /** Where callbacks write by default (checkpoints/, metrics.csv, tensorboard/). */
  readonly runDir?: string;
  readonly shouldStop: boolean;
  /** Asks the loop to stop after the current batch. */
  stop(reason: string): void;
  /** Weights, optimizer and trainer state; the caller disposes the tensors. */
  checkpoint(module: TrainModule): Checkpoint;
}

/** What the trainer reports after each training batch. Numbers are already read back from the tensors. */
export interface TrainBatchInfo {
  epoch: number;
  batchIndex: number;
  batchesPerEpoch: number;
  /** Optimizer updates done so far (after this batch's update, if it completed an accumulation group). */
  globalStep: number;
  batchSize: number;
  loss: number;
  logs: Record<string, number>;
  lr: number;
  /** Whether this batch completed an accumulation group and the optimizer stepped. */
  stepped: boolean;
  /** Global gradient norm before clipping, when the optimizer stepped and gradClipNorm is set. */
  gradNorm?: number;
}

/**
 * Hooks into the fit loop (Lightning's Callback). Any hook may call `trainer.stop(reason)`.
 * A callback with `stateKey` and `stateDict`/`loadStateDict` has its state saved in checkpoints.
 */
export interface Callback {
  readonly stateKey?: string;
  onFitStart?(trainer: TrainerView, module: TrainModule): void | Promise<void>;
  onEpochStart?(trainer: TrainerView, module: TrainModule, epoch: number): void | Promise<void>;
  /** After the loss and gradients of a batch are computed, before they are accumulated or applied. */
  onAfterBackward?(trainer: TrainerView, module: TrainModule, info: TrainBatchInfo): void | Promise<void>;
  onTrainBatchEnd?(trainer: TrainerView, module: TrainModule, info: TrainBatchInfo): void | Promise<void>;
  onValidationEnd?(trainer: TrainerView, module: TrainModule, metrics: Record<string, number>): void | Promise<void>;
  onEpochEnd?(trainer: TrainerView, module: TrainModule, record: EpochRecord): void | Promise<void>;
  /** After every callback's onEpochEnd, when the epoch's state is final: where checkpoints are written. */
  onEpochCommitted?(trainer: TrainerView, module: TrainModule, record: EpochRecord): void | Promise<void>;
  onFitEnd?(trainer: TrainerView, module: TrainModule, result: FitResult): void | Promise<void>;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}
