/** Class labels as plain arrays or typed arrays (e.g. `Int32Array` from a tensor). */
export type LabelArray = ArrayLike<number>;

/** What to return where a ratio is 0/0: sklearn's `zero_division` ('warn' returns 0 and reports a warning). */
export type ZeroDivision = 'warn' | 0 | 1;

export interface WarningOptions {
  /** Receives sklearn-style UndefinedMetricWarning messages; default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

export function warn(opts: WarningOptions, message: string): void {
  if (opts.onWarning) opts.onWarning(message);
  else process.emitWarning(message, 'UndefinedMetricWarning');
}

export function checkPair(yTrue: LabelArray, yPred: LabelArray, fn: string): void {
  if (yTrue.length !== yPred.length)
    throw new Error(`${fn}: y_true has ${yTrue.length} labels but y_pred has ${yPred.length}`);
  for (const [name, y] of [
    ['y_true', yTrue],
    ['y_pred', yPred],
  ] as const) {
    for (let i = 0; i < y.length; i++) {
      if (!Number.isFinite(y[i])) throw new Error(`${fn}: ${name}[${i}] is ${y[i]}; labels must be finite numbers`);
    }
  }
}

/** The sorted distinct labels found in the arrays (sklearn's unique_labels). */
export function uniqueLabels(...arrays: LabelArray[]): number[] {
  const set = new Set<number>();
  for (const array of arrays) for (let i = 0; i < array.length; i++) set.add(array[i]);
  return [...set].sort((a, b) => a - b);
}

/** Per-label counts: true positives, predictions and true occurrences (the diagonal, column and row sums). */
export function labelCounts(
  yTrue: LabelArray,
  yPred: LabelArray,
  labels: readonly number[],
): { tp: number[]; pred: number[]; support: number[] } {
  const index = new Map(labels.map((l, i) => [l, i]));
  const tp = new Array<number>(labels.length).fill(0);
  const pred = new Array<number>(labels.length).fill(0);
  const support = new Array<number>(labels.length).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]);
    const p = index.get(yPred[i]);
    if (t !== undefined) support[t]++;
    if (p !== undefined) pred[p]++;
    if (t !== undefined && yTrue[i] === yPred[i]) tp[t]++;
  }
  return { tp, pred, support };
}
