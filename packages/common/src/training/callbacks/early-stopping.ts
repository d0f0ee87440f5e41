import type { Callback, TrainerView } from '../callback';
import type { EpochRecord } from '../checkpoint';
import type { TrainModule } from '../module';
import { type MonitorMode, checkMode, improves, monitoredValue } from './monitor';

export interface EarlyStoppingOptions {
  monitor: string;
  mode?: MonitorMode;
  /** Epochs without improvement before stopping. Default 3. */
  patience?: number;
  /** An improvement must exceed this. Default 0. */
  minDelta?: number;
}

/** Lightning's EarlyStopping: stops after `patience` epochs in which `monitor` did not improve by more than `minDelta`. */
export class EarlyStopping implements Callback {
  readonly stateKey = 'EarlyStopping';
  readonly monitor: string;
  readonly mode: MonitorMode;
  readonly patience: number;
  readonly minDelta: number;
  best: number | null = null;
  wait = 0;

  constructor(opts: EarlyStoppingOptions) {
    this.monitor = opts.monitor;
    this.mode = checkMode('EarlyStopping', opts.mode ?? 'min');
    this.patience = opts.patience ?? 3;
    this.minDelta = opts.minDelta ?? 0;
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) {
      throw new Error(`EarlyStopping: patience must be an integer >= 0, got ${this.patience}`);
    }
    if (!(this.minDelta >= 0)) throw new Error(`EarlyStopping: minDelta must be >= 0, got ${this.minDelta}`);
  }

  onEpochEnd(trainer: TrainerView, _module: TrainModule, record: EpochRecord): void {
    const value = monitoredValue('EarlyStopping', record, this.monitor);
    if (improves(value, this.best, this.mode, this.minDelta)) {
      this.best = value;
      this.wait = 0;
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      trainer.stop(
        `early stopping: ${this.monitor} did not improve on ${this.best} by more than ${this.minDelta} for ${this.wait} epochs (last ${value})`,
      );
    }
  }

  stateDict(): unknown {
    return { best: this.best, wait: this.wait };
  }

  loadStateDict(state: unknown): void {
    const s = state as { best: number | null; wait: number };
    this.best = s.best;
    this.wait = s.wait;
  }
}
