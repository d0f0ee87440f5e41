import type { Callback, TrainBatchInfo, TrainerView } from '../callback';
import type { TrainModule } from '../module';

/**
 * Stops training at the first batch whose loss or a logged loss term is NaN or ±Inf, before that batch's
 * gradients are applied (the weights stay finite). The stop reason names the term, the epoch, the batch and step.
 */
export class NanGuard implements Callback {
  /** The message of the stop, if it fired. */
  message?: string;

  onAfterBackward(trainer: TrainerView, _module: TrainModule, info: TrainBatchInfo): void {
    const terms: [string, number][] = [['loss', info.loss], ...Object.entries(info.logs)];
    const bad = terms.filter(([, v]) => !Number.isFinite(v));
    if (bad.length === 0) return;
    const what = bad.map(([k, v]) => `'${k}' = ${v}`).join(', ');
    this.message =
      `NanGuard: non-finite loss term ${what} at epoch ${info.epoch + 1}, batch ${info.batchIndex + 1}, global step ${info.globalStep}; ` +
      'stopped before applying its gradients';
    trainer.stop(this.message);
  }
}
