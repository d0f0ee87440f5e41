import * as path from 'node:path';
import type { Callback, TrainerView } from '../callback';
import type { EpochRecord } from '../checkpoint';
import { writeFileAtomic } from '../../io';

export interface MetricsLoggerOptions {
  /** Default `<runDir>`. Files: metrics.csv and metrics.json. */
  dir?: string;
}

/** The history as CSV (one row per epoch, columns in first-seen order) and JSON. */
export function historyToCsv(history: readonly EpochRecord[]): string {
  const columns: string[] = [];
  for (const row of history) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.join(',')];
  for (const row of history) lines.push(columns.map((c) => (row[c] === undefined ? '' : String(row[c]))).join(','));
  return lines.join('\n') + '\n';
}

/** Rewrites metrics.csv and metrics.json atomically after every epoch (so a resumed run continues them). */
export class MetricsLogger implements Callback {
  private readonly dirOption?: string;

  constructor(opts: MetricsLoggerOptions = {}) {
    this.dirOption = opts.dir;
  }

  dir(trainer: TrainerView): string {
    const dir = this.dirOption ?? trainer.runDir;
    if (!dir) throw new Error("MetricsLogger: set `dir` or the trainer's `runDir`");
    return dir;
  }

  // A resumed fit starts from the checkpoint's history: a kill between the checkpoint and these files left them an
  // epoch behind, and a fit with nothing left to train would never rewrite them.
  onFitStart(trainer: TrainerView): void {
    if (trainer.epoch > 0) this.write(trainer);
  }

  // After the checkpoint callbacks (onEpochCommitted, in callback order): a kill between the two leaves metrics one
  // epoch behind `last`, never ahead of it, and a resume rewrites them from the checkpoint's history.
  onEpochCommitted(trainer: TrainerView): void {
    this.write(trainer);
  }

  private write(trainer: TrainerView): void {
    const dir = this.dir(trainer);
    writeFileAtomic(path.join(dir, 'metrics.csv'), historyToCsv(trainer.history));
    writeFileAtomic(path.join(dir, 'metrics.json'), JSON.stringify(trainer.history, null, 1) + '\n');
  }
}
