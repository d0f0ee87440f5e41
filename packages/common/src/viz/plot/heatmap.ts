// A labelled heatmap of any rows x columns matrix (e.g. attention per class and input view): a Vega-Lite chart like
// the confusion matrix, viridis between the matrix's minimum and maximum (or a given range), values in the cells.
import { renderVegaLite } from '../charts/vega';
import type { Plot } from './render';

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

export function plotHeatmap(
  matrix: number[][],
  rowLabels: string[],
  colLabels: string[],
  options: HeatmapOptions = {},
): Plot {
  const rows = matrix.length;
  const cols = rows > 0 ? matrix[0].length : 0;
  if (rows === 0 || cols === 0) throw new Error('plotHeatmap: the matrix is empty');
  if (rowLabels.length !== rows || colLabels.length !== cols) {
    throw new Error(
      `plotHeatmap: ${rowLabels.length} row and ${colLabels.length} column labels for a ${rows}x${cols} matrix`,
    );
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
  const digits = options.digits ?? 2;
  const cells = matrix.flatMap((row, i) =>
    row.map((value, j) => ({ row: rowLabels[i], col: colLabels[j], value, text: value.toFixed(digits) })),
  );
  const band = (field: string, title: string | undefined, domain: string[]) => ({
    field,
    type: 'ordinal',
    title: title ?? null,
    sort: domain,
    scale: { domain },
  });
  const middle = (lo + hi) / 2;
  return renderVegaLite({
    ...(options.title ? { title: options.title } : {}),
    width: cols * cw,
    height: rows * ch,
    data: { values: cells },
    encoding: { x: band('col', options.xLabel, colLabels), y: band('row', options.yLabel, rowLabels) },
    layer: [
      {
        mark: { type: 'rect', name: 'cell' },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: null,
            scale: { scheme: 'viridis', domain: [lo, hi === lo ? lo + 1 : hi], clamp: true },
          },
        },
      },
      ...(cw >= 34
        ? [
            {
              mark: { type: 'text', name: 'cell-value', fontSize: Math.min(12, ch / 2) },
              encoding: {
                text: { field: 'text' },
                color: { condition: { test: `datum.value > ${middle}`, value: 'black' }, value: 'white' },
              },
            },
          ]
        : []),
    ],
  });
}
