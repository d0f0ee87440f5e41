// sklearn's classification_report: the same rows, numbers and text layout.
import { checkPair, uniqueLabels, type LabelArray, type WarningOptions, type ZeroDivision } from './labels';
import { precisionRecallFscoreSupport } from './scores';

export interface ReportOptions extends WarningOptions {
  /** Labels to report, in order; default: the sorted labels found in either array. */
  labels?: readonly number[];
  /** Display names, one per label. */
  targetNames?: readonly string[];
  digits?: number;
  zeroDivision?: ZeroDivision;
}

export interface ReportRow {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ReportData {
  /** One row per label. */
  classes: ReportRow[];
  /** Accuracy when the micro average equals it (all labels present are reported), else undefined. */
  accuracy?: number;
  /** The micro average row when it differs from accuracy (a subset of labels). */
  microAvg?: ReportRow;
  macroAvg: ReportRow;
  weightedAvg: ReportRow;
}

/** The numbers of the report. */
export function classificationReportData(yTrue: LabelArray, yPred: LabelArray, opts: ReportOptions = {}): ReportData {
  checkPair(yTrue, yPred, 'classificationReport');
  const present = uniqueLabels(yTrue, yPred);
  const labels = opts.labels ?? present;
  if (opts.targetNames && opts.targetNames.length !== labels.length) {
    throw new Error(`classificationReport: ${labels.length} labels but ${opts.targetNames.length} target names`);
  }
  const names = opts.targetNames ?? labels.map(String);
  const common = { labels, zeroDivision: opts.zeroDivision, onWarning: opts.onWarning };
  const perLabel = precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: null });
  const classes = names.map((name, i) => ({
    name,
    precision: perLabel.precision[i],
    recall: perLabel.recall[i],
    f1: perLabel.fscore[i],
    support: perLabel.support[i],
  }));
  const support = perLabel.support.reduce((a, b) => a + b, 0);
  const averaged = (average: 'micro' | 'macro' | 'weighted', name: string): ReportRow => {
    const r = precisionRecallFscoreSupport(yTrue, yPred, { ...common, average });
    return { name, precision: r.precision, recall: r.recall, f1: r.fscore, support };
  };
  // As sklearn: the micro average is the accuracy unless labels were given that differ from those present.
  const microIsAccuracy =
    !opts.labels || (new Set(labels).size === present.length && present.every((l) => labels.includes(l)));
  return {
    classes,
    ...(microIsAccuracy
      ? { accuracy: averaged('micro', 'accuracy').f1 }
      : { microAvg: averaged('micro', 'micro avg') }),
    macroAvg: averaged('macro', 'macro avg'),
    weightedAvg: averaged('weighted', 'weighted avg'),
  };
}

/**
 * Python's `format(x, '.{digits}f')`: like toFixed, except that exact ties round half to even (0.125 -> '0.12').
 * The exact decimal expansion of the double (toFixed(100)) tells a tie from a value merely close to one.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (/^50*$/.test(rest)) {
    const truncated = exact.slice(0, digits === 0 ? point : point + 1 + digits);
    const lastDigit = Number(truncated[truncated.length - 1]);
    if (lastDigit % 2 === 0) return (x < 0 && Number(truncated.replace('.', '')) !== 0 ? '-' : '') + truncated;
  }
  return x.toFixed(digits);
}

/** The text report, laid out exactly as sklearn.metrics.classification_report prints it. */
export function classificationReport(yTrue: LabelArray, yPred: LabelArray, opts: ReportOptions = {}): string {
  const digits = opts.digits ?? 2;
  const data = classificationReportData(yTrue, yPred, opts);
  const width = Math.max(...data.classes.map((row) => row.name.length), 'weighted avg'.length, digits);
  const cell = (text: string) => ` ${text.padStart(9)}`;
  // sklearn quirk, reproduced for identical text: when no sample at all is predicted right, its multilabel confusion
  // matrix falls back to float zeros and the supports print as floats ("4.0").
  const noHit = !Array.prototype.some.call(yTrue, (t: number, i: number) => t === yPred[i]);
  const count = (n: number) => (noHit ? `${n}.0` : String(n));
  const line = (row: ReportRow) =>
    `${row.name.padStart(width)} ${cell(formatFixed(row.precision, digits))}${cell(formatFixed(row.recall, digits))}${cell(formatFixed(row.f1, digits))}${cell(count(row.support))}\n`;
  let report = `${''.padStart(width)} ${['precision', 'recall', 'f1-score', 'support'].map(cell).join('')}\n\n`;
  for (const row of data.classes) report += line(row);
  report += '\n';
  if (data.accuracy !== undefined) {
    const support = data.weightedAvg.support;
    report += `${'accuracy'.padStart(width)} ${cell('')}${cell('')}${cell(formatFixed(data.accuracy, digits))}${cell(count(support))}\n`;
  } else if (data.microAvg) {
    report += line(data.microAvg);
  }
  report += line(data.macroAvg);
  report += line(data.weightedAvg);
  return report;
}
