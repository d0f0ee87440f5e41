// Confusion matrix: a viridis heatmap with the counts (or fractions) written in the cells.
import { renderVegaLite } from '../charts/vega';
import type { Plot } from './render';

export interface ConfusionMatrixPlotOptions {
  /** As sklearn's confusion_matrix(normalize=...): over true labels (rows), predictions (columns) or all. */
  normalize?: 'true' | 'pred' | 'all';
  title?: string;
  /** Cell size in px (default: fits a 480 px wide matrix, at least 14). */
  cellSize?: number;
  /** Write the value in each cell (default: when cells are at least 22 px). */
  showValues?: boolean;
}

/** sklearn's normalisation; a zero row/column/total gives zeros (sklearn gives NaN, which would hide the cell). */
export function normalizeConfusionMatrix(matrix: number[][], normalize: 'true' | 'pred' | 'all'): number[][] {
  const n = matrix.length;
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const colSums = matrix[0].map((_, j) => matrix.reduce((a, row) => a + row[j], 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, (_, i) =>
    matrix[i].map((v, j) => {
      const d = normalize === 'true' ? rowSums[i] : normalize === 'pred' ? colSums[j] : total;
      return d === 0 ? 0 : v / d;
    }),
  );
}

function formatCell(value: number, normalized: boolean): string {
  return normalized ? value.toFixed(2) : Number.isInteger(value) ? String(value) : value.toPrecision(3);
}

export function plotConfusionMatrix(
  matrix: number[][],
  labels?: string[],
  options: ConfusionMatrixPlotOptions = {},
): Plot {
  const n = matrix.length;
  if (n === 0) throw new Error('plotConfusionMatrix: the matrix is empty');
  matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== n)
      throw new Error(`plotConfusionMatrix: row ${i} has ${row?.length} values, expected ${n} (a square matrix)`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v) || v < 0)
        throw new Error(`plotConfusionMatrix: cell [${i}][${j}] = ${v}, expected a finite count >= 0`);
    });
  });
  const names = labels ?? matrix.map((_, i) => String(i));
  if (names.length !== n) throw new Error(`plotConfusionMatrix: ${names.length} labels for a ${n}x${n} matrix`);

  const normalized = options.normalize !== undefined;
  const values = normalized ? normalizeConfusionMatrix(matrix, options.normalize!) : matrix;
  const flat = values.flat();
  const [min, max] = [Math.min(...flat), Math.max(...flat)];
  const cell = options.cellSize ?? Math.max(14, Math.min(56, Math.floor(480 / n)));
  const showValues = options.showValues ?? cell >= 22;
  // Row-major: true label i (rows, top to bottom), predicted label j (columns).
  const cells = values.flatMap((row, i) =>
    row.map((value, j) => ({ true: names[i], pred: names[j], value, text: formatCell(value, normalized) })),
  );
  const band = (field: string, title: string) => ({
    field,
    type: 'ordinal',
    title,
    sort: names,
    scale: { domain: names },
  });
  const encoding = { x: band('pred', 'Predicted label'), y: band('true', 'True label') };
  // White text on the dark half of viridis, black on the light half.
  const middle = (min + max) / 2;
  return renderVegaLite({
    ...(options.title ? { title: options.title } : {}),
    width: n * cell,
    height: n * cell,
    data: { values: cells },
    encoding,
    layer: [
      {
        mark: { type: 'rect', name: 'cell' },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: null,
            scale: { scheme: 'viridis', domain: [min, max === min ? min + 1 : max] },
          },
        },
      },
      ...(showValues
        ? [
            {
              mark: { type: 'text', name: 'cell-value', fontSize: Math.min(12, cell / 3) },
              encoding: {
                text: { field: 'text' },
                color: {
                  condition: { test: `datum.value > ${middle} || ${max === min}`, value: 'black' },
                  value: 'white',
                },
              },
            },
          ]
        : []),
    ],
  });
}
