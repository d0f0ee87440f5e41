import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseSafetensorsHeader, writeFileAtomic } from '../../io';
import type { Callback, TrainerView } from '../callback';
import { type EpochRecord, saveCheckpoint } from '../checkpoint';
import type { TrainModule } from '../module';
import { type MonitorMode, checkMode, improves, monitoredValue } from './monitor';

export interface ModelCheckpointOptions {
  /** Directory of the checkpoint files. Default: `<runDir>/checkpoints`. */
  dir?: string;
  /** Metric that defines "best" (e.g. 'val_loss'); without it only `last` is written. */
  monitor?: string;
  mode?: MonitorMode;
  /** Write `last.safetensors` after every epoch. Default true. */
  saveLast?: boolean;
}

/**
 * Saves `best.safetensors` (when the monitored metric improves) and `last.safetensors` (each epoch) with weights,
 * optimizer state, schedule, epoch, global step, history, RNG and callback states. Files are written atomically.
 */
export class ModelCheckpoint implements Callback {
  readonly stateKey = 'ModelCheckpoint';
  readonly monitor?: string;
  readonly mode: MonitorMode;
  readonly saveLast: boolean;
  private readonly dirOption?: string;
  bestScore: number | null = null;
  bestEpoch: number | null = null;

  constructor(opts: ModelCheckpointOptions = {}) {
    this.dirOption = opts.dir;
    this.monitor = opts.monitor;
    this.mode = checkMode('ModelCheckpoint', opts.mode ?? 'min');
    this.saveLast = opts.saveLast ?? true;
  }

  dir(trainer: TrainerView): string {
    const dir = this.dirOption ?? (trainer.runDir ? path.join(trainer.runDir, 'checkpoints') : undefined);
    if (!dir) throw new Error("ModelCheckpoint: set `dir` or the trainer's `runDir`");
    return dir;
  }

  lastPath(trainer: TrainerView): string {
    return path.join(this.dir(trainer), 'last.safetensors');
  }

  bestPath(trainer: TrainerView): string {
    return path.join(this.dir(trainer), 'best.safetensors');
  }

  onEpochCommitted(trainer: TrainerView, module: TrainModule, record: EpochRecord): void {
    let saveBest = false;
    if (this.monitor) {
      const value = monitoredValue('ModelCheckpoint', record, this.monitor);
      if (improves(value, this.bestScore, this.mode)) {
        this.bestScore = value;
        this.bestEpoch = record.epoch;
        saveBest = true;
      }
    }
    if (!saveBest && !this.saveLast) return;
    const ckpt = trainer.checkpoint(module); // after the best-score update, so it is part of the saved state
    try {
      // `last` first: a kill before `best` is written leaves a `last` that records this epoch as the best, from which
      // a resume restores `best` (onFitStart). The other order could leave a `best` of an epoch `last` never had.
      if (this.saveLast) saveCheckpoint(this.lastPath(trainer), ckpt);
      if (saveBest) saveCheckpoint(this.bestPath(trainer), ckpt);
    } finally {
      tf.dispose(ckpt.tensors);
    }
  }

  /**
   * On resume from `last`: when `last` is the best epoch but `best` does not hold that epoch (the process was killed
   * between the two writes), `best` is rewritten from `last`, which holds the same checkpoint.
   */
  onFitStart(trainer: TrainerView): void {
    if (trainer.epoch === 0 || !this.saveLast || this.bestEpoch !== trainer.epoch) return;
    const [last, best] = [this.lastPath(trainer), this.bestPath(trainer)];
    if (checkpointEpoch(last) !== trainer.epoch || checkpointEpoch(best) === trainer.epoch) return;
    writeFileAtomic(best, fs.readFileSync(last));
  }

  stateDict(): unknown {
    return { bestScore: this.bestScore, bestEpoch: this.bestEpoch };
  }

  loadStateDict(state: unknown): void {
    const s = state as { bestScore: number | null; bestEpoch: number | null };
    this.bestScore = s.bestScore;
    this.bestEpoch = s.bestEpoch;
  }
}

/** The completed epochs a checkpoint file records (from its header alone), or undefined when it cannot be read. */
function checkpointEpoch(file: string): number | undefined {
  try {
    const { metadata } = parseSafetensorsHeader(fs.readFileSync(file), file);
    return (JSON.parse(metadata.trainer) as { epoch: number }).epoch;
  } catch {
    return undefined;
  }
}
