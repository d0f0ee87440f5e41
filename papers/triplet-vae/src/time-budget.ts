// Stops a fit before a wall-clock budget runs out: after each epoch, if another epoch as long as the slowest one so
// far would end past the budget. The best checkpoint so far is then evaluated as usual.
import type { Callback, TrainerView } from '@research/common';

export class TimeBudget implements Callback {
  private started = 0;
  private epochStarted = 0;
  private slowestEpoch = 0;

  constructor(
    private readonly budgetSeconds: number,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {
    if (!(budgetSeconds > 0)) throw new Error(`TimeBudget: the budget must be > 0 seconds, got ${budgetSeconds}`);
  }

  onFitStart(): void {
    this.started = this.now();
  }

  onEpochStart(): void {
    this.epochStarted = this.now();
  }

  onEpochEnd(trainer: TrainerView): void {
    const now = this.now();
    this.slowestEpoch = Math.max(this.slowestEpoch, now - this.epochStarted);
    const elapsed = now - this.started;
    if (elapsed + this.slowestEpoch > this.budgetSeconds) {
      trainer.stop(
        `time budget: ${elapsed.toFixed(0)} s elapsed, another epoch (up to ${this.slowestEpoch.toFixed(0)} s) would pass the ${this.budgetSeconds.toFixed(0)} s budget`,
      );
    }
  }
}
