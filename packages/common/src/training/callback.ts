import type { EpochRecord } from './checkpoint';
import type { TrainModule } from './module';
import type { Trainer, FitResult } from './trainer';

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
  onFitStart?(trainer: Trainer, module: TrainModule): void | Promise<void>;
  onEpochStart?(trainer: Trainer, module: TrainModule, epoch: number): void | Promise<void>;
  /** After the loss and gradients of a batch are computed, before they are accumulated or applied. */
  onAfterBackward?(trainer: Trainer, module: TrainModule, info: TrainBatchInfo): void | Promise<void>;
  onTrainBatchEnd?(trainer: Trainer, module: TrainModule, info: TrainBatchInfo): void | Promise<void>;
  onValidationEnd?(trainer: Trainer, module: TrainModule, metrics: Record<string, number>): void | Promise<void>;
  onEpochEnd?(trainer: Trainer, module: TrainModule, record: EpochRecord): void | Promise<void>;
  /** After every callback's onEpochEnd, when the epoch's state is final: where checkpoints are written. */
  onEpochCommitted?(trainer: Trainer, module: TrainModule, record: EpochRecord): void | Promise<void>;
  onFitEnd?(trainer: Trainer, module: TrainModule, result: FitResult): void | Promise<void>;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}
