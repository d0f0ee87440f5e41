// Adds the set-wise scores of each validation pass to the epoch's metrics: val_balanced_accuracy, val_macro_f1,
// val_weighted_f1 (val_accuracy and val_loss come from the Trainer's per-example means). The Trainer builds the
// epoch record from the object onValidationEnd receives, so early stopping, checkpoints and loggers see them.
import type { Callback, TrainModule, Trainer } from '@research/common';
import type { GravityModule } from './module';

export class ClassificationScores implements Callback {
  onValidationEnd(_trainer: Trainer, module: TrainModule, metrics: Record<string, number>): void {
    const store = (module as GravityModule).predictions?.val;
    if (!store) throw new Error('ClassificationScores: the module has no predictions (use gravityModule)');
    if (store.size === 0) return;
    const scores = store.scores();
    metrics.val_balanced_accuracy = scores.balanced_accuracy;
    metrics.val_macro_f1 = scores.macro_f1;
    metrics.val_weighted_f1 = scores.weighted_f1;
  }
}
