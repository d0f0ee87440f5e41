// Predictions gathered over an evaluation pass, and what is computed from them: accuracy, balanced accuracy, macro
// and weighted F1 (common's scikit-learn-equal metrics), the confusion matrix and report, and for multi-view models
// the view attention each class's query puts on each window, averaged over the samples of that class.
import { accuracyScore, balancedAccuracyScore, classificationReport, confusionMatrix, f1Score } from '@research/common';

export interface EpochScores {
  accuracy: number;
  balanced_accuracy: number;
  macro_f1: number;
  weighted_f1: number;
}

export class PredictionStore {
  readonly labels: number[] = [];
  readonly predictions: number[] = [];
  /** Per class: summed attention over views of its own query, and the sample count. */
  private attentionSums: number[][];
  private attentionCounts: number[];

  constructor(
    readonly numClasses: number,
    readonly numViews = 0,
  ) {
    this.attentionSums = Array.from({ length: numClasses }, () => new Array<number>(numViews).fill(0));
    this.attentionCounts = new Array<number>(numClasses).fill(0);
  }

  /** `attention` is [batch, classes, views] row-major, when the model gives one. */
  add(labels: ArrayLike<number>, predictions: ArrayLike<number>, attention?: ArrayLike<number>): void {
    for (let i = 0; i < labels.length; i++) {
      this.labels.push(labels[i]);
      this.predictions.push(predictions[i]);
      if (attention && this.numViews > 0) {
        const y = labels[i];
        const base = (i * this.numClasses + y) * this.numViews;
        for (let v = 0; v < this.numViews; v++) this.attentionSums[y][v] += attention[base + v];
        this.attentionCounts[y]++;
      }
    }
  }

  get size(): number {
    return this.labels.length;
  }

  scores(): EpochScores {
    if (this.size === 0) throw new Error('PredictionStore: no predictions were gathered');
    const quiet = { onWarning: () => undefined, zeroDivision: 0 as const };
    return {
      accuracy: accuracyScore(this.labels, this.predictions),
      balanced_accuracy: balancedAccuracyScore(this.labels, this.predictions, quiet),
      macro_f1: f1Score(this.labels, this.predictions, { average: 'macro', ...quiet }),
      weighted_f1: f1Score(this.labels, this.predictions, { average: 'weighted', ...quiet }),
    };
  }

  /** [classes][classes] counts, rows = true class, over all classes. */
  confusion(): number[][] {
    return confusionMatrix(this.labels, this.predictions, {
      labels: Array.from({ length: this.numClasses }, (_, i) => i),
    });
  }

  /** sklearn's classification_report text over the classes present. */
  report(classNames: readonly string[]): string {
    const present = [...new Set(this.labels)].sort((a, b) => a - b);
    return classificationReport(this.labels, this.predictions, {
      labels: present,
      targetNames: present.map((c) => classNames[c]),
      digits: 4,
      zeroDivision: 0,
      onWarning: () => undefined,
    });
  }

  /** [classes][views]: mean attention of class c's query over samples of class c (null rows for absent classes). */
  viewAttention(): (number[] | null)[] {
    return this.attentionSums.map((sums, c) =>
      this.attentionCounts[c] > 0 ? sums.map((s) => s / this.attentionCounts[c]) : null,
    );
  }
}
