// A labelled heatmap of any rows x columns matrix (e.g. attention per class and input view), viridis-coloured
// between the matrix's minimum and maximum (or a given range), values written in the cells when they fit.
import { rgbHex, textColorOn, viridis } from './colors';
import { Panel } from './panel';
import type { Plot } from './render';
import { figureTitle, svgDocument } from './svg';

export interface HeatmapOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Colour range (default: the matrix's min..max). */
  range?: [number, number];
  /** Cell width and height in px (default 56 x 22). */
  cellWidth?: number;
  cellHeight?: number;
  /** Digits after the point in the cells (default 2); cells narrower than 34 px show no values. */
  digits?: number;
}

export function plotHeatmap(matrix: number[][], rowLabels: string[], colLabels: string[], options: HeatmapOptions = {}): Plot {
  const rows = matrix.length;
  const cols = rows > 0 ? matrix[0].length : 0;
  if (rows === 0 || cols === 0) throw new Error('plotHeatmap: the matrix is empty');
  if (rowLabels.length !== rows || colLabels.length !== cols) {
    throw new Error(`plotHeatmap: ${rowLabels.length} row and ${colLabels.length} column labels for a ${rows}x${cols} matrix`);
  }
  matrix.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`plotHeatmap: row ${i} has ${row.length} values, expected ${cols}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new Error(`plotHeatmap: cell [${i}][${j}] = ${v}, expected a finite number`);
    });
  });
  const [lo, hi] = options.range ?? [Math.min(...matrix.flat()), Math.max(...matrix.flat())];
  const cw = options.cellWidth ?? 56;
  const ch = options.cellHeight ?? 22;
  const longestRow = Math.max(...rowLabels.map((l) => l.length));
  const marginLeft = 40 + longestRow * 6.6;
  const titleHeight = options.title ? 26 : 0;
  const width = Math.ceil(marginLeft + cols * cw + 24);
  const height = Math.ceil(titleHeight + 20 + rows * ch + 56);
  const panel = new Panel({
    id: 'heatmap',
    frame: { x: 0, y: titleHeight, width, height: height - titleHeight },
    x: { domain: [0, cols], ticks: colLabels.map((_, j) => j + 0.5), tickLabels: colLabels, label: options.xLabel },
    y: { domain: [0, rows], ticks: rowLabels.map((_, i) => i + 0.5), tickLabels: rowLabels, label: options.yLabel, reversed: true },
    grid: false,
  });
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const rgb = viridis(hi === lo ? 0 : Math.min(1, Math.max(0, (matrix[i][j] - lo) / (hi - lo))));
      panel.rect(j, i, j + 1, i + 1, rgbHex(rgb));
      if (cw >= 34) panel.text(j + 0.5, i + 0.5, matrix[i][j].toFixed(options.digits ?? 2), { color: textColorOn(rgb), className: 'cell-value' });
    }
  }
  return { svg: svgDocument(width, height, (options.title ? figureTitle(width, options.title) : '') + panel.toSvg()), width, height };
}
