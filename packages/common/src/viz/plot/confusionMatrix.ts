// Confusion-matrix heatmap: rows = true labels, columns = predicted labels, as sklearn's ConfusionMatrixDisplay.
import { rgbHex, textColorOn, viridis } from './colors';
import { Panel } from './panel';
import type { Plot } from './render';
import { figureTitle, svgDocument } from './svg';

export interface ConfusionMatrixPlotOptions {
  /** As sklearn's confusion_matrix(normalize=...): over true labels (rows), predictions (columns) or all. */
  normalize?: 'true' | 'pred' | 'all';
  title?: string;
  /** Cell size in px (default: fits a 560 px wide plot, at least 14). */
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

export function plotConfusionMatrix(matrix: number[][], labels?: string[], options: ConfusionMatrixPlotOptions = {}): Plot {
  const n = matrix.length;
  if (n === 0) throw new Error('plotConfusionMatrix: the matrix is empty');
  matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== n) throw new Error(`plotConfusionMatrix: row ${i} has ${row?.length} values, expected ${n} (a square matrix)`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v) || v < 0) throw new Error(`plotConfusionMatrix: cell [${i}][${j}] = ${v}, expected a finite count >= 0`);
    });
  });
  const names = labels ?? matrix.map((_, i) => String(i));
  if (names.length !== n) throw new Error(`plotConfusionMatrix: ${names.length} labels for a ${n}x${n} matrix`);

  const values = options.normalize ? normalizeConfusionMatrix(matrix, options.normalize) : matrix;
  const max = Math.max(...values.flat());
  const min = Math.min(...values.flat());
  const cell = options.cellSize ?? Math.max(14, Math.min(56, Math.floor(480 / n)));
  const showValues = options.showValues ?? cell >= 22;
  const longest = Math.max(...names.map((l) => l.length));
  const rotate = longest * 6.6 > cell;
  const marginLeft = 40 + longest * 6.6;
  const marginBottom = 50 + (rotate ? longest * 6.6 * 0.71 : 0);
  const titleHeight = options.title ? 26 : 0;
  const width = Math.ceil(marginLeft + n * cell + 24);
  const height = Math.ceil(titleHeight + 20 + n * cell + marginBottom);

  const ticks = names.map((_, i) => i + 0.5);
  const panel = new Panel({
    id: 'confusion',
    frame: { x: 0, y: titleHeight, width, height: height - titleHeight },
    x: { domain: [0, n], ticks, tickLabels: names, label: 'Predicted label', rotateLabels: rotate },
    y: { domain: [0, n], ticks, tickLabels: names, label: 'True label', reversed: true },
    grid: false,
  });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const rgb = viridis(max === min ? 0 : (values[i][j] - min) / (max - min));
      panel.rect(j, i, j + 1, i + 1, rgbHex(rgb));
      if (showValues) panel.text(j + 0.5, i + 0.5, formatCell(values[i][j], options.normalize !== undefined), { color: textColorOn(rgb), className: 'cell-value' });
    }
  }
  return { svg: svgDocument(width, height, (options.title ? figureTitle(width, options.title) : '') + panel.toSvg()), width, height };
}
