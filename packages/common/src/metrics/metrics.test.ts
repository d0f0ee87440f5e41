import * as tf from '@tensorflow/tfjs';
import golden from '../../scripts/golden/metrics_sklearn.json';
import {
  accuracyScore,
  balancedAccuracyScore,
  classificationReport,
  classificationReportData,
  confusionMatrix,
  f1Score,
  fbetaScore,
  formatFixed,
  labelsFromTensor,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  topKAccuracyScore,
  type ZeroDivision,
} from './index';

interface GoldenPrf {
  precision: number | number[];
  recall: number | number[];
  fscore: number | number[];
  support: number[] | null;
  warnings: string[];
}
interface GoldenCase {
  name: string;
  y_true: number[];
  y_pred: number[];
  labels: number[] | null;
  target_names: string[] | null;
  scores: number[][];
  golden: {
    accuracy: number;
    accuracy_count: number;
    balanced: number;
    balanced_adjusted: number | string;
    balanced_warnings: string[];
    confusion: Record<string, number[][]>;
    prf: Record<string, GoldenPrf>;
    scores: Record<string, { value: number | number[]; warnings: string[] }>;
    f1_binary_pos_max?: { value: number; pos_label: number };
    report: Record<string, string>;
    topk: { labels: number[]; values: Record<string, number> };
  };
}

const cases = (golden as unknown as { cases: GoldenCase[] }).cases;

function expectClose(actual: number | number[], expected: number | number[]): void {
  if (Array.isArray(expected)) {
    expect(actual).toHaveLength(expected.length);
    expected.forEach((v, i) => expect((actual as number[])[i]).toBeCloseTo(v, 12));
  } else {
    expect(actual as number).toBeCloseTo(expected, 12);
  }
}

function captured<T>(fn: (onWarning: (m: string) => void) => T): { value: T; warnings: string[] } {
  const warnings: string[] = [];
  const value = fn((m) => warnings.push(m));
  return { value, warnings };
}

describe.each(cases.map((c) => [c.name, c] as const))('equals scikit-learn on case %s', (_name, c) => {
  const { y_true: yt, y_pred: yp } = c;
  const labels = c.labels ?? undefined;
  const g = c.golden;

  it('accuracy and balanced accuracy (with its warning)', () => {
    expectClose(accuracyScore(yt, yp), g.accuracy);
    expect(accuracyScore(Int32Array.from(yt), Int32Array.from(yp), { normalize: false })).toBe(g.accuracy_count);
    const plain = captured((onWarning) => balancedAccuracyScore(yt, yp, { onWarning }));
    expectClose(plain.value, g.balanced);
    expect(plain.warnings).toEqual(g.balanced_warnings);
    const adjusted = balancedAccuracyScore(yt, yp, { adjusted: true, onWarning: () => undefined });
    if (typeof g.balanced_adjusted === 'string')
      expect(adjusted).toBe(Number(g.balanced_adjusted)); // a single class: -Infinity
    else expectClose(adjusted, g.balanced_adjusted);
  });

  it('confusion matrix, raw and normalised', () => {
    for (const normalize of ['None', 'true', 'pred', 'all'] as const) {
      const cm = confusionMatrix(yt, yp, { labels, normalize: normalize === 'None' ? undefined : normalize });
      expect(cm).toHaveLength(g.confusion[normalize].length);
      cm.forEach((row, i) => expectClose(row, g.confusion[normalize][i]));
    }
  });

  it('precision, recall, F-score and support for every average and zero_division, with the same warnings', () => {
    for (const [key, expected] of Object.entries(g.prf)) {
      const [averageText, zdText] = key.split('|');
      const zeroDivision = (zdText === 'warn' ? 'warn' : Number(zdText)) as ZeroDivision;
      const average = averageText === 'None' ? null : (averageText as 'micro' | 'macro' | 'weighted');
      const { value, warnings } = captured((onWarning) =>
        average === null
          ? precisionRecallFscoreSupport(yt, yp, { labels, average: null, zeroDivision, onWarning })
          : precisionRecallFscoreSupport(yt, yp, { labels, average, zeroDivision, onWarning }),
      );
      expectClose(value.precision, expected.precision);
      expectClose(value.recall, expected.recall);
      expectClose(value.fscore, expected.fscore);
      if (expected.support) expect((value as { support: number[] }).support).toEqual(expected.support);
      expect(warnings).toEqual(expected.warnings);
    }
  });

  it('precision / recall / F1 / F-beta helpers, with their own warnings', () => {
    for (const [key, expected] of Object.entries(g.scores)) {
      const [name, averageText] = key.split('|');
      const average = averageText === 'None' ? null : (averageText as 'macro' | 'weighted');
      const { value, warnings } = captured((onWarning) => {
        const opts = { labels, onWarning };
        if (name === 'precision')
          return average === null
            ? precisionScore(yt, yp, { ...opts, average })
            : precisionScore(yt, yp, { ...opts, average });
        if (name === 'recall')
          return average === null
            ? recallScore(yt, yp, { ...opts, average })
            : recallScore(yt, yp, { ...opts, average });
        if (name === 'f1')
          return average === null ? f1Score(yt, yp, { ...opts, average }) : f1Score(yt, yp, { ...opts, average });
        return fbetaScore(yt, yp, Number(name.slice('fbeta'.length)), { ...opts, average: average as 'weighted' });
      });
      expectClose(value, expected.value);
      expect(warnings).toEqual(expected.warnings);
    }
    if (g.f1_binary_pos_max) {
      expectClose(
        f1Score(yt, yp, { average: 'binary', posLabel: g.f1_binary_pos_max.pos_label, onWarning: () => undefined }),
        g.f1_binary_pos_max.value,
      );
    }
  });

  it('classification report, character for character', () => {
    for (const [key, expected] of Object.entries(g.report)) {
      const [digits, zd] = key.split('|');
      const zeroDivision = (zd === 'warn' ? 'warn' : Number(zd)) as ZeroDivision;
      const text = classificationReport(yt, yp, {
        labels,
        targetNames: c.target_names ?? undefined,
        digits: Number(digits),
        zeroDivision,
        onWarning: () => undefined,
      });
      expect(text).toBe(expected);
    }
  });

  it('top-k accuracy (ties broken as sklearn does)', () => {
    for (const [k, expected] of Object.entries(g.topk.values)) {
      expectClose(
        topKAccuracyScore(yt, c.scores, { k: Number(k), labels: g.topk.labels, onWarning: () => undefined }),
        expected,
      );
      expectClose(
        topKAccuracyScore(Int32Array.from(yt), Float32Array.from(c.scores.flat()), {
          k: Number(k),
          labels: g.topk.labels,
          onWarning: () => undefined,
        }),
        expected,
      );
    }
  });
});

describe('metrics details', () => {
  it('covers the edge cases it claims to', () => {
    const names = cases.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['never_predicted', 'absent_from_true', 'labels_superset', 'labels_subset_reordered']),
    );
    const never = cases.find((c) => c.name === 'never_predicted') as GoldenCase;
    expect(never.y_pred).not.toContain(2);
    expect(never.y_true).toContain(2);
    const absent = cases.find((c) => c.name === 'absent_from_true') as GoldenCase;
    expect(absent.y_true).not.toContain(3);
    expect(absent.y_pred).toContain(3);
  });

  it('formats like Python: exact ties round half to even', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(0.1 + 0.2, 2)).toBe('0.30');
    expect(formatFixed(1 / 3, 4)).toBe('0.3333');
    expect(formatFixed(0.8125, 3)).toBe('0.812');
  });

  it('report data: accuracy row, or a micro average for a subset of labels', () => {
    const data = classificationReportData([0, 1, 2, 2], [0, 2, 2, 2], { onWarning: () => undefined });
    expect(data.accuracy).toBe(0.75);
    expect(data.classes.map((r) => r.support)).toEqual([1, 1, 2]);
    const subset = classificationReportData([0, 1, 2, 2], [0, 2, 2, 2], { labels: [2], onWarning: () => undefined });
    expect(subset.accuracy).toBeUndefined();
    expect(subset.microAvg?.precision).toBeCloseTo(2 / 3, 12);
  });

  it('rejects mismatched lengths, bad label lists and a wrong number of score columns', () => {
    expect(() => accuracyScore([0, 1], [0])).toThrow('y_true has 2 labels but y_pred has 1');
    expect(() => confusionMatrix([0, 1], [0, 1], { labels: [5] })).toThrow('none of the labels [5] occurs in y_true');
    expect(() =>
      topKAccuracyScore(
        [0, 1, 1],
        [
          [0.1, 0.9, 0],
          [0.5, 0.5, 0],
          [0, 1, 0],
        ],
      ),
    ).toThrow('2 classes (in y_true) but the scores have 3 columns');
    expect(() => f1Score([0, 1, 2], [0, 1, 2], { average: 'binary' })).toThrow(
      "average 'binary' needs at most two classes",
    );
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: ['a'] })).toThrow('2 labels but 1 target names');
  });

  it('reads labels from tensors: labels as is, scores by argmax', async () => {
    await tf.setBackend('cpu');
    const labels = tf.tensor1d([2, 0, 1], 'int32');
    const logits = tf.tensor2d([
      [0.1, 0.2, 3],
      [5, 0, 0],
      [0, 1, 0.5],
    ]);
    expect(Array.from(await labelsFromTensor(labels))).toEqual([2, 0, 1]);
    expect(Array.from(await labelsFromTensor(logits))).toEqual([2, 0, 1]);
    await expect(labelsFromTensor(tf.zeros([1, 1, 1]))).rejects.toThrow('expected labels [n] or scores [n, classes]');
    tf.dispose([labels, logits]);
  });
});
