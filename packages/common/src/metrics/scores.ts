// Classification scores with scikit-learn's definitions (sklearn.metrics 1.2), including its edge cases.
import { confusionMatrix } from './confusion';
import {
  checkPair,
  labelCounts,
  uniqueLabels,
  warn,
  type LabelArray,
  type WarningOptions,
  type ZeroDivision,
} from './labels';

/** Fraction (or, with `normalize: false`, number) of exact matches. */
export function accuracyScore(yTrue: LabelArray, yPred: LabelArray, opts: { normalize?: boolean } = {}): number {
  checkPair(yTrue, yPred, 'accuracyScore');
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return opts.normalize === false ? correct : correct / yTrue.length;
}

/**
 * Mean recall over the classes present in y_true (a class only predicted is left out, with a warning, as in
 * sklearn). `adjusted` rescales so that chance is 0 and perfect is 1.
 */
export function balancedAccuracyScore(
  yTrue: LabelArray,
  yPred: LabelArray,
  opts: { adjusted?: boolean } & WarningOptions = {},
): number {
  checkPair(yTrue, yPred, 'balancedAccuracyScore');
  const cm = confusionMatrix(yTrue, yPred);
  const perClass: number[] = [];
  cm.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    if (total > 0) perClass.push(row[i] / total);
  });
  if (perClass.length < cm.length) warn(opts, 'y_pred contains classes not in y_true');
  let score = perClass.reduce((a, b) => a + b, 0) / perClass.length;
  if (opts.adjusted) {
    const chance = 1 / perClass.length;
    score = (score - chance) / (1 - chance);
  }
  return score;
}

/** Scores of n samples over C classes: rows of length C, or a flat array of n*C values (row-major). */
export type ScoreMatrix = readonly (readonly number[])[] | ArrayLike<number>;

function scoreRows(scores: ScoreMatrix, n: number): (i: number) => ArrayLike<number> {
  const first = (scores as ArrayLike<unknown>)[0];
  if (n > 0 && typeof first === 'object' && first !== null) {
    const rows = scores as readonly (readonly number[])[];
    if (rows.length !== n) throw new Error(`topKAccuracyScore: ${n} labels but ${rows.length} score rows`);
    return (i) => rows[i];
  }
  const flat = scores as ArrayLike<number>;
  if (n === 0 || flat.length % n !== 0)
    throw new Error(`topKAccuracyScore: ${flat.length} flat scores cannot be split into ${n} rows`);
  const c = flat.length / n;
  return (i) => Array.prototype.slice.call(flat, i * c, (i + 1) * c) as number[];
}

/**
 * Fraction of samples whose true class is among the k highest scores. Column j of the scores belongs to
 * `labels[j]` (default: the sorted labels of y_true, which must then number as many as the columns). Ties are
 * broken as sklearn's stable argsort does: among equal scores the later column ranks higher.
 */
export function topKAccuracyScore(
  yTrue: LabelArray,
  scores: ScoreMatrix,
  opts: { k?: number; labels?: readonly number[]; normalize?: boolean } & WarningOptions = {},
): number {
  const k = opts.k ?? 2;
  const n = yTrue.length;
  const row = scoreRows(scores, n);
  const columns = n > 0 ? row(0).length : 0;
  const labels = opts.labels ?? uniqueLabels(yTrue);
  if (opts.labels && labels.some((l, i) => i > 0 && l <= labels[i - 1]))
    throw new Error('topKAccuracyScore: labels must be unique and sorted ascending');
  if (labels.length !== columns) {
    throw new Error(
      `topKAccuracyScore: ${labels.length} classes (${opts.labels ? 'given labels' : 'in y_true'}) but the scores have ${columns} columns` +
        (opts.labels ? '' : '; pass labels with every known class'),
    );
  }
  if (k >= columns)
    warn(
      opts,
      `'k' (${k}) greater than or equal to 'n_classes' (${columns}) will result in a perfect score and is therefore meaningless.`,
    );
  const column = new Map(labels.map((l, j) => [l, j]));
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const t = column.get(yTrue[i]);
    if (t === undefined) throw new Error(`topKAccuracyScore: y_true[${i}] = ${yTrue[i]} is not among the labels`);
    const s = row(i);
    if (s.length !== columns)
      throw new Error(`topKAccuracyScore: score row ${i} has ${s.length} values, expected ${columns}`);
    let ahead = 0;
    for (let j = 0; j < columns; j++) if (s[j] > s[t] || (s[j] === s[t] && j > t)) ahead++;
    if (ahead < k) hits++;
  }
  return opts.normalize === false ? hits : hits / n;
}

export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

export interface PrfOptions extends WarningOptions {
  /** Labels to score, in order; default: the sorted labels found in either array. */
  labels?: readonly number[];
  /** null: one value per label. Default 'macro' (sklearn's default, 'binary', only fits two classes). */
  average?: Average | null;
  /** The positive class for average 'binary'; default 1. */
  posLabel?: number;
  beta?: number;
  zeroDivision?: ZeroDivision;
}

export interface PrfPerLabel {
  labels: number[];
  precision: number[];
  recall: number[];
  fscore: number[];
  support: number[];
}

export interface PrfAveraged {
  precision: number;
  recall: number;
  fscore: number;
}

function divide(
  num: number[],
  den: number[],
  metric: 'precision' | 'recall',
  zeroDivision: ZeroDivision,
  opts: WarningOptions,
  warnFor: string[],
): number[] {
  const fill = zeroDivision === 1 ? 1 : 0;
  const out = num.map((v, i) => (den[i] === 0 ? fill : v / den[i]));
  if (zeroDivision === 'warn' && den.some((d) => d === 0) && warnFor.includes(metric)) {
    const start = warnFor.includes('f-score')
      ? `${metric[0].toUpperCase()}${metric.slice(1)} and F-score are`
      : `${metric[0].toUpperCase()}${metric.slice(1)} is`;
    warnPrf(opts, start, metric === 'precision' ? 'predicted' : 'true', out.length);
  }
  return out;
}

function warnPrf(opts: WarningOptions, start: string, modifier: string, size: number): void {
  const where = size === 1 ? 'due to' : 'in labels with';
  warn(
    opts,
    `${start} ill-defined and being set to 0.0 ${where} no ${modifier} samples. Use \`zero_division\` parameter to control this behavior.`,
  );
}

/** The labels a set-wise metric scores, checked as sklearn does for average 'binary'. */
function scoredLabels(yTrue: LabelArray, yPred: LabelArray, opts: PrfOptions): readonly number[] {
  const present = uniqueLabels(yTrue, yPred);
  if (opts.average === 'binary') {
    const pos = opts.posLabel ?? 1;
    if (present.length > 2)
      throw new Error(
        `average 'binary' needs at most two classes, found ${present.length} (${present.join(', ')}); choose 'micro', 'macro' or 'weighted'`,
      );
    if (!present.includes(pos) && present.length >= 2)
      throw new Error(`posLabel=${pos} is not a valid label; it should be one of ${present.join(', ')}`);
    return [pos];
  }
  return opts.labels ?? present;
}

/**
 * sklearn's precision_recall_fscore_support. With `average: null` returns one value per label (and the support);
 * otherwise the micro, macro, weighted (by support) or binary average.
 */
export function precisionRecallFscoreSupport(
  yTrue: LabelArray,
  yPred: LabelArray,
  opts: PrfOptions & { average: null },
  warnFor?: string[],
): PrfPerLabel;
export function precisionRecallFscoreSupport(
  yTrue: LabelArray,
  yPred: LabelArray,
  opts?: PrfOptions,
  warnFor?: string[],
): PrfAveraged;
export function precisionRecallFscoreSupport(
  yTrue: LabelArray,
  yPred: LabelArray,
  opts: PrfOptions = {},
  warnFor: string[] = ['precision', 'recall', 'f-score'],
): PrfPerLabel | PrfAveraged {
  checkPair(yTrue, yPred, 'precisionRecallFscoreSupport');
  const average = opts.average === undefined ? 'macro' : opts.average;
  const zeroDivision = opts.zeroDivision ?? 'warn';
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new Error(`beta must be >= 0, got ${beta}`);
  const labels = [...scoredLabels(yTrue, yPred, { ...opts, average })];
  let { tp, pred, support } = labelCounts(yTrue, yPred, labels);
  if (average === 'micro') {
    const sum = (a: number[]) => [a.reduce((x, y) => x + y, 0)];
    [tp, pred, support] = [sum(tp), sum(pred), sum(support)];
  }
  const precision = divide(tp, pred, 'precision', zeroDivision, opts, warnFor);
  const recall = divide(tp, support, 'recall', zeroDivision, opts, warnFor);
  if (
    zeroDivision === 'warn' &&
    warnFor.length === 1 &&
    warnFor[0] === 'f-score' &&
    support.some((s, i) => s === 0 && pred[i] === 0)
  ) {
    warnPrf(opts, 'F-score is', 'true nor predicted', support.length);
  }
  const beta2 = beta * beta;
  const fscore = precision.map((p, i) => {
    if (beta === Infinity) return recall[i];
    const denominator = beta2 * p + recall[i];
    return ((1 + beta2) * p * recall[i]) / (denominator === 0 ? 1 : denominator);
  });

  if (average === null) return { labels, precision, recall, fscore, support };
  if (average === 'weighted') {
    const total = support.reduce((a, b) => a + b, 0);
    if (total === 0) {
      const value = zeroDivision === 1 ? 1 : 0;
      const anyPredicted = pred.reduce((a, b) => a + b, 0) > 0;
      return anyPredicted
        ? { precision: 0, recall: value, fscore: 0 }
        : { precision: value, recall: value, fscore: value };
    }
    const weighted = (values: number[]) => values.reduce((sum, v, i) => sum + v * support[i], 0) / total;
    return { precision: weighted(precision), recall: weighted(recall), fscore: weighted(fscore) };
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return { precision: mean(precision), recall: mean(recall), fscore: mean(fscore) };
}

type ScoreOptions = Omit<PrfOptions, 'beta'>;

function pick(
  which: 'precision' | 'recall' | 'fscore',
  yTrue: LabelArray,
  yPred: LabelArray,
  opts: ScoreOptions & { beta?: number },
  warnFor: string[],
): number | number[] {
  const average = opts.average === undefined ? 'macro' : opts.average;
  if (average === null) return precisionRecallFscoreSupport(yTrue, yPred, { ...opts, average: null }, warnFor)[which];
  return precisionRecallFscoreSupport(yTrue, yPred, { ...opts, average }, warnFor)[which];
}

/** Precision, tp / (tp + fp): per label with `average: null`, else averaged (default macro). */
export function precisionScore(yTrue: LabelArray, yPred: LabelArray, opts: ScoreOptions & { average: null }): number[];
export function precisionScore(yTrue: LabelArray, yPred: LabelArray, opts?: ScoreOptions): number;
export function precisionScore(yTrue: LabelArray, yPred: LabelArray, opts: ScoreOptions = {}): number | number[] {
  return pick('precision', yTrue, yPred, opts, ['precision']);
}

/** Recall, tp / (tp + fn): per label with `average: null`, else averaged (default macro). */
export function recallScore(yTrue: LabelArray, yPred: LabelArray, opts: ScoreOptions & { average: null }): number[];
export function recallScore(yTrue: LabelArray, yPred: LabelArray, opts?: ScoreOptions): number;
export function recallScore(yTrue: LabelArray, yPred: LabelArray, opts: ScoreOptions = {}): number | number[] {
  return pick('recall', yTrue, yPred, opts, ['recall']);
}

/** F-beta score: per label with `average: null`, else averaged (default macro). */
export function fbetaScore(
  yTrue: LabelArray,
  yPred: LabelArray,
  beta: number,
  opts: ScoreOptions & { average: null },
): number[];
export function fbetaScore(yTrue: LabelArray, yPred: LabelArray, beta: number, opts?: ScoreOptions): number;
export function fbetaScore(
  yTrue: LabelArray,
  yPred: LabelArray,
  beta: number,
  opts: ScoreOptions = {},
): number | number[] {
  return pick('fscore', yTrue, yPred, { ...opts, beta }, ['f-score']);
}

/** F1 score: per label with `average: null`, else averaged (default macro). */
export function f1Score(yTrue: LabelArray, yPred: LabelArray, opts: ScoreOptions & { average: null }): number[];
export function f1Score(yTrue: LabelArray, yPred: LabelArray, opts?: ScoreOptions): number;
export function f1Score(yTrue: LabelArray, yPred: LabelArray, opts: ScoreOptions = {}): number | number[] {
  return pick('fscore', yTrue, yPred, { ...opts, beta: 1 }, ['f-score']);
}
