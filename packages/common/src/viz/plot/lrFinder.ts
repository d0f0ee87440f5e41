// The LR range test plot: loss against learning rate (log axis), raw and smoothed, the suggested LR marked.
import { categoryColor } from './colors';
import { Panel } from './panel';
import type { Plot } from './render';
import { finiteExtent, niceDomain } from './scale';
import { svgDocument } from './svg';

export interface LrFinderPlotData {
  lrs: readonly number[];
  losses: readonly number[];
  smoothed: readonly number[];
  /** The suggested LR, marked with a dashed vertical line and a dot on the smoothed curve. */
  suggestion?: { lr: number; index: number } | null;
}

/** Decade ticks (1e-7, 1e-6, ...) covering [lo, hi] in log10 units. */
function decadeTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) ticks.push(e);
  return ticks;
}

export function plotLrFinder(data: LrFinderPlotData, options: { width?: number; height?: number; title?: string } = {}): Plot {
  const { lrs, losses, smoothed } = data;
  if (lrs.length < 2 || losses.length !== lrs.length || smoothed.length !== lrs.length) {
    throw new Error(`plotLrFinder: need at least 2 points with as many losses and smoothed losses as lrs (${lrs.length}, ${losses.length}, ${smoothed.length})`);
  }
  const { width = 640, height = 420, title = 'LR range test' } = options;
  const logLrs = lrs.map((lr) => Math.log10(lr));
  const xDomain: [number, number] = [logLrs[0], logLrs[logLrs.length - 1]];
  // The y range follows the smoothed curve (the raw loss of the last, diverging steps would flatten everything else).
  const [y0, y1] = finiteExtent(smoothed);
  const ticks = decadeTicks(xDomain[0], xDomain[1]);
  const panel = new Panel({
    id: 'lr-finder',
    frame: { x: 0, y: 0, width, height },
    x: { domain: xDomain, label: 'learning rate (log scale)', ticks, tickLabels: ticks.map((e) => `1e${e}`) },
    y: { domain: niceDomain(y0, y1 + 0.05 * (y1 - y0 || 1)), label: 'loss' },
    title,
    legend: [
      { label: 'loss', color: '#bbbbbb', kind: 'line' },
      { label: 'smoothed', color: categoryColor(0), kind: 'line' },
      ...(data.suggestion ? [{ label: `suggested ${data.suggestion.lr.toExponential(2)}`, color: categoryColor(3), kind: 'marker' as const }] : []),
    ],
  });
  panel.line(logLrs, losses, { color: '#bbbbbb', className: 'raw-loss' });
  panel.line(logLrs, smoothed, { color: categoryColor(0), width: 2, className: 'smoothed-loss' });
  if (data.suggestion) {
    const x = Math.log10(data.suggestion.lr);
    panel.segment(x, y0, x, y1, { color: categoryColor(3), dash: '4 3', className: 'suggestion' });
    panel.scatter([x], [smoothed[data.suggestion.index]], 5, { color: categoryColor(3), className: 'suggestion' });
  }
  return { svg: svgDocument(width, height, panel.toSvg()), width, height };
}
