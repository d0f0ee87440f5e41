// The LR range test plot: loss against learning rate (log axis), raw and smoothed, the suggested LR marked; a
// Vega-Lite layer chart like the other plots.
import { renderVegaLite } from '../charts/vega';
import { categoryColor } from './colors';
import type { Plot } from './render';

export interface LrFinderPlotData {
  lrs: readonly number[];
  losses: readonly number[];
  smoothed: readonly number[];
  /** The suggested LR, marked with a dashed vertical rule and a dot on the smoothed curve. */
  suggestion?: { lr: number; index: number } | null;
}

export function plotLrFinder(
  data: LrFinderPlotData,
  options: { width?: number; height?: number; title?: string } = {},
): Plot {
  const { lrs, losses, smoothed } = data;
  if (lrs.length < 2 || losses.length !== lrs.length || smoothed.length !== lrs.length) {
    throw new Error(
      `plotLrFinder: need at least 2 points with as many losses and smoothed losses as lrs (${lrs.length}, ${losses.length}, ${smoothed.length})`,
    );
  }
  const { width = 640, height = 420, title = 'LR range test' } = options;
  // The y range follows the smoothed curve (the raw loss of the last, diverging steps would flatten everything else).
  const finite = smoothed.filter(Number.isFinite);
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  const pad = 0.05 * (hi - lo || 1);
  const values = lrs.flatMap((lr, i) => [
    { lr, loss: Number.isFinite(losses[i]) ? losses[i] : null, series: 'loss' },
    { lr, loss: Number.isFinite(smoothed[i]) ? smoothed[i] : null, series: 'smoothed' },
  ]);
  const x = {
    field: 'lr',
    type: 'quantitative',
    title: 'learning rate (log scale)',
    scale: { type: 'log' },
    axis: { format: '.0e' },
  };
  const y = {
    field: 'loss',
    type: 'quantitative',
    title: 'loss',
    scale: { domain: [lo - pad, hi + pad], clamp: true, zero: false },
  };
  const suggestion = data.suggestion;
  const label = suggestion ? `suggested ${suggestion.lr.toExponential(2)}` : '';
  const layers: Record<string, unknown>[] = [
    {
      data: { values },
      mark: { type: 'line', clip: true, strokeWidth: 1.6, invalid: 'break-paths-show-domains' },
      encoding: {
        x,
        y,
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: ['loss', 'smoothed'], range: ['#bbbbbb', categoryColor(0)] },
          legend: { orient: 'top-right' },
        },
      },
    },
  ];
  if (suggestion) {
    const point = { lr: suggestion.lr, loss: smoothed[suggestion.index], label };
    layers.push(
      {
        name: 'suggestion_rule',
        data: { values: [point] },
        mark: { type: 'rule', strokeDash: [4, 3], color: categoryColor(3) },
        encoding: { x },
      },
      {
        name: 'suggestion_point',
        data: { values: [point] },
        mark: { type: 'point', filled: true, size: 60, color: categoryColor(3) },
        encoding: { x, y },
      },
      {
        data: { values: [point] },
        mark: { type: 'text', align: 'left', dx: 6, dy: -8, color: categoryColor(3) },
        encoding: { x, y, text: { field: 'label' } },
      },
    );
  }
  return renderVegaLite({ title, width: width - 120, height: height - 90, layer: layers });
}
