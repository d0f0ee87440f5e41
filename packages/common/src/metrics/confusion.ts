import { checkPair, uniqueLabels, type LabelArray } from './labels';

export interface ConfusionMatrixOptions {
  /** Row/column order; default: the sorted labels found in either array. Samples with other labels are left out. */
  labels?: readonly number[];
  /** Divide by row sums (`true`), column sums (`pred`) or the total (`all`); 0/0 gives 0. */
  normalize?: 'true' | 'pred' | 'all';
}

/** sklearn's confusion_matrix: `cm[i][j]` counts samples of true label `labels[i]` predicted as `labels[j]`. */
export function confusionMatrix(yTrue: LabelArray, yPred: LabelArray, opts: ConfusionMatrixOptions = {}): number[][] {
  checkPair(yTrue, yPred, 'confusionMatrix');
  const labels = opts.labels ?? uniqueLabels(yTrue, yPred);
  if (opts.labels) {
    if (labels.length === 0) throw new Error('confusionMatrix: labels must hold at least one label');
    if (yTrue.length > 0 && !labels.some((l) => Array.prototype.includes.call(yTrue, l))) {
      throw new Error(`confusionMatrix: none of the labels [${labels.join(', ')}] occurs in y_true`);
    }
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  const cm = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]);
    const p = index.get(yPred[i]);
    if (t !== undefined && p !== undefined) cm[t][p]++;
  }
  const safe = (a: number, b: number) => (b === 0 ? 0 : a / b);
  switch (opts.normalize) {
    case 'true':
      return cm.map((row) =>
        row.map((v) =>
          safe(
            v,
            row.reduce((a, b) => a + b, 0),
          ),
        ),
      );
    case 'pred': {
      const columns = labels.map((_, j) => cm.reduce((sum, row) => sum + row[j], 0));
      return cm.map((row) => row.map((v, j) => safe(v, columns[j])));
    }
    case 'all': {
      const total = cm.flat().reduce((a, b) => a + b, 0);
      return cm.map((row) => row.map((v) => safe(v, total)));
    }
    default:
      return cm;
  }
}
