import { SingleBar } from 'cli-progress';
import type { EpochRecord } from '../checkpoint';
import type { TrainModule } from '../module';
import type { Callback, FitResult, TrainBatchInfo, TrainerView } from '../callback';

export interface ProgressBarOptions {
  /** 'auto' (default): a bar on a TTY unless CI=true, else lines. */
  mode?: 'auto' | 'bar' | 'lines';
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Print a line every this many batches (default: the trainer's logEveryNSteps). */
  everyNBatches?: number;
  /** Which metrics the epoch summary line prints (default: all); metrics.json and TensorBoard keep every one. */
  epochMetrics?: (name: string) => boolean;
}

/** Seconds as `1:05:09`, `5:09` or `9s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
  return m > 0 ? `${m}:${String(r).padStart(2, '0')}` : `${r}s`;
}

export function formatMetric(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3);
}

/**
 * Progress of the fit: a cli-progress bar on a terminal; on a pipe or in CI periodic lines such as
 * `epoch 2/10 step 300/938 loss 0.4120 12.3 it/s eta 0:52, fit 8:31` and one summary line per epoch with every
 * metric. The fit's ETA counts the remaining epochs at the mean wall time of the finished ones (validation included),
 * before that at the current epoch's batch speed.
 */
export class ProgressBar implements Callback {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly useBar: boolean;
  private readonly everyNBatches?: number;
  private readonly epochMetrics: (name: string) => boolean;
  private bar?: SingleBar;
  private epochStart = 0;
  private lossSum = 0;
  private lossCount = 0;
  private epochSecondsSum = 0;
  private epochsTimed = 0;

  constructor(opts: ProgressBarOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    const mode = opts.mode ?? 'auto';
    this.useBar = mode === 'bar' || (mode === 'auto' && this.stream.isTTY === true && process.env.CI !== 'true');
    this.everyNBatches = opts.everyNBatches;
    this.epochMetrics = opts.epochMetrics ?? (() => true);
  }

  onEpochStart(): void {
    this.epochStart = performance.now();
    this.lossSum = 0;
    this.lossCount = 0;
  }

  onTrainBatchEnd(trainer: TrainerView, _module: TrainModule, info: TrainBatchInfo): void {
    this.lossSum += info.loss * info.batchSize;
    this.lossCount += info.batchSize;
    const done = info.batchIndex + 1;
    const seconds = (performance.now() - this.epochStart) / 1000;
    const speed = seconds > 0 ? (done / seconds).toFixed(1) : '-';
    const loss = formatMetric(this.lossSum / this.lossCount);
    const epochLeft = seconds > 0 ? ((info.batchesPerEpoch - done) * seconds) / done : NaN;
    const perEpoch =
      this.epochsTimed > 0 ? this.epochSecondsSum / this.epochsTimed : (info.batchesPerEpoch * seconds) / done;
    const fitEta = formatDuration(epochLeft + (trainer.maxEpochs - info.epoch - 1) * perEpoch);
    if (this.useBar) {
      if (!this.bar) {
        this.bar = new SingleBar({
          stream: this.stream,
          format: `epoch ${info.epoch + 1}/${trainer.maxEpochs} {bar} {value}/{total} loss {loss} {speed} it/s eta {eta_formatted}, fit {fitEta}`,
          hideCursor: true,
        });
        this.bar.start(info.batchesPerEpoch, 0, { loss, speed, fitEta });
      }
      this.bar.update(done, { loss, speed, fitEta });
      return;
    }
    const every = this.everyNBatches ?? trainer.logEveryNSteps;
    if (done % every === 0 || done === info.batchesPerEpoch) {
      this.stream.write(
        `epoch ${info.epoch + 1}/${trainer.maxEpochs} step ${done}/${info.batchesPerEpoch} loss ${loss} ${speed} it/s ` +
          `eta ${formatDuration(epochLeft)}, fit ${fitEta}\n`,
      );
    }
  }

  onEpochEnd(trainer: TrainerView, _module: TrainModule, record: EpochRecord): void {
    this.bar?.stop();
    this.bar = undefined;
    const elapsed = (performance.now() - this.epochStart) / 1000;
    this.epochSecondsSum += elapsed;
    this.epochsTimed++;
    const seconds = elapsed.toFixed(1);
    const metrics = Object.entries(record)
      .filter(([k]) => k !== 'epoch' && k !== 'global_step' && this.epochMetrics(k))
      .map(([k, v]) => `${k} ${formatMetric(v)}`)
      .join(' ');
    this.stream.write(`epoch ${record.epoch}/${trainer.maxEpochs} done in ${seconds} s: ${metrics}\n`);
  }

  onFitEnd(_trainer: TrainerView, _module: TrainModule, result: FitResult): void {
    this.bar?.stop();
    this.bar = undefined;
    if (result.stopReason) this.stream.write(`stopped: ${result.stopReason}\n`);
  }
}
