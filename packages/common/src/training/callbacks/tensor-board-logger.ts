import * as path from 'node:path';
import { SummaryWriter } from '../../viz';
import type { Callback, TrainBatchInfo, TrainerView } from '../callback';
import type { EpochRecord } from '../checkpoint';
import type { TrainModule } from '../module';

/** The part of viz's SummaryWriter the logger uses. */
export interface ScalarWriter {
  addScalar(tag: string, value: number, step: number): void;
  flush(): void;
  close(): void;
}

export interface TensorBoardLoggerOptions {
  /** Default `<runDir>/tensorboard`. */
  logDir?: string;
  /** An existing writer (then logDir is ignored and the writer is not closed by the logger). */
  writer?: ScalarWriter;
}

/**
 * Writes TensorBoard scalars: every `logEveryNSteps` batches `train/<loss|term>` and `train/lr` at the global step;
 * after each epoch every epoch metric as `epoch/<name>` at the epoch index.
 */
export class TensorBoardLogger implements Callback {
  private writer?: ScalarWriter;
  private readonly ownsWriter: boolean;
  private readonly logDir?: string;

  constructor(opts: TensorBoardLoggerOptions = {}) {
    this.writer = opts.writer;
    this.ownsWriter = !opts.writer;
    this.logDir = opts.logDir;
  }

  onFitStart(trainer: TrainerView): void {
    if (this.writer) return;
    const dir = this.logDir ?? (trainer.runDir ? path.join(trainer.runDir, 'tensorboard') : undefined);
    if (!dir) throw new Error("TensorBoardLogger: set `logDir` or the trainer's `runDir`");
    this.writer = new SummaryWriter(dir);
  }

  onTrainBatchEnd(trainer: TrainerView, _module: TrainModule, info: TrainBatchInfo): void {
    if (!this.writer || (info.batchIndex + 1) % trainer.logEveryNSteps !== 0) return;
    this.writer.addScalar('train/loss', info.loss, info.globalStep);
    for (const [k, v] of Object.entries(info.logs)) this.writer.addScalar(`train/${k}`, v, info.globalStep);
    this.writer.addScalar('train/lr', info.lr, info.globalStep);
    if (info.gradNorm !== undefined) this.writer.addScalar('train/grad_norm', info.gradNorm, info.globalStep);
  }

  onEpochEnd(_trainer: TrainerView, _module: TrainModule, record: EpochRecord): void {
    if (!this.writer) return;
    for (const [k, v] of Object.entries(record))
      if (k !== 'epoch') this.writer.addScalar(`epoch/${k}`, v, record.epoch);
    this.writer.flush();
  }

  onFitEnd(): void {
    if (!this.writer) return;
    if (this.ownsWriter) {
      this.writer.close();
      this.writer = undefined;
    } else this.writer.flush();
  }
}
