// Training curves: one panel per metric, one line per split (train / val / test) of that metric.
import { categoryColor } from './colors';
import { Panel, type LegendItem } from './panel';
import type { Plot } from './render';
import { finiteExtent, niceDomain } from './scale';
import { figureTitle, svgDocument } from './svg';

/** Per-epoch records (`[{epoch: 1, loss: .5, val_loss: .6}, ...]`) or columns (`{loss: [...], val_loss: [...]}`). */
export type TrainingHistory = Array<Record<string, unknown>> | Record<string, ArrayLike<number>>;

export interface TrainingCurvesOptions {
  /** Metrics to plot, one panel each (e.g. ['loss', 'accuracy']); default: every metric in the history. */
  metrics?: string[];
  /** The x column; default 'epoch' if present, else 'step', else 1, 2, 3, ... */
  x?: string;
  title?: string;
  panelWidth?: number;
  panelHeight?: number;
  /** Panels per row (default: up to 3). */
  cols?: number;
}

const SPLITS = ['train', 'val', 'valid', 'validation', 'test'];
const SPLIT_PATTERN = SPLITS.join('|');

/** 'val_loss', 'loss/val', 'train.acc' → metric and split; a bare name is its own metric with no split. */
export function parseSeriesKey(key: string): { metric: string; split: string } {
  const prefix = new RegExp(`^(${SPLIT_PATTERN})[_/.-](.+)$`).exec(key);
  if (prefix) return { metric: prefix[2], split: prefix[1] };
  const suffix = new RegExp(`^(.+)[_/.-](${SPLIT_PATTERN})$`).exec(key);
  if (suffix) return { metric: suffix[1], split: suffix[2] };
  return { metric: key, split: '' };
}

function toColumns(history: TrainingHistory): Map<string, number[]> {
  const columns = new Map<string, number[]>();
  if (Array.isArray(history)) {
    history.forEach((record, row) => {
      for (const [key, value] of Object.entries(record)) {
        if (typeof value !== 'number') continue;
        if (!columns.has(key)) columns.set(key, new Array(history.length).fill(NaN));
        columns.get(key)![row] = value;
      }
    });
  } else {
    for (const [key, values] of Object.entries(history)) {
      if (values && typeof values.length === 'number') columns.set(key, Array.from(values, Number));
    }
  }
  return columns;
}

export function plotTrainingCurves(history: TrainingHistory, options: TrainingCurvesOptions = {}): Plot {
  const columns = toColumns(history);
  if (columns.size === 0) throw new Error('plotTrainingCurves: the history has no numeric columns');
  const xKey = options.x ?? ['epoch', 'step'].find((k) => columns.has(k));
  if (xKey !== undefined && !columns.has(xKey)) throw new Error(`plotTrainingCurves: x column '${xKey}' is not in the history (columns: ${[...columns.keys()].join(', ')})`);

  const byMetric = new Map<string, Array<{ key: string; split: string }>>();
  for (const key of columns.keys()) {
    if (key === xKey) continue;
    const { metric, split } = parseSeriesKey(key);
    if (!byMetric.has(metric)) byMetric.set(metric, []);
    byMetric.get(metric)!.push({ key, split });
  }
  const metrics = options.metrics ?? [...byMetric.keys()];
  for (const m of metrics) {
    if (!byMetric.has(m)) throw new Error(`plotTrainingCurves: metric '${m}' is not in the history (metrics: ${[...byMetric.keys()].join(', ')})`);
  }
  if (metrics.length === 0) throw new Error('plotTrainingCurves: no metric to plot');

  const { panelWidth = 380, panelHeight = 270, title } = options;
  const cols = Math.min(options.cols ?? 3, metrics.length);
  const rows = Math.ceil(metrics.length / cols);
  const titleHeight = title ? 26 : 0;
  const width = cols * panelWidth;
  const height = rows * panelHeight + titleHeight;

  const panels = metrics.map((metric, index) => {
    const series = byMetric.get(metric)!.sort((a, b) => SPLITS.indexOf(a.split) - SPLITS.indexOf(b.split));
    const lines = series.map((s) => {
      const ys = columns.get(s.key)!;
      const xs = xKey ? columns.get(xKey)! : ys.map((_, i) => i + 1);
      return { ...s, xs: xs.slice(0, ys.length), ys };
    });
    const [x0, x1] = finiteExtent(lines.flatMap((l) => l.xs));
    const [y0, y1] = finiteExtent(lines.flatMap((l) => l.ys));
    const legend: LegendItem[] = lines.map((l, i) => ({ label: l.key, color: categoryColor(i), kind: 'line' }));
    const panel = new Panel({
      id: `curves-${index}`,
      frame: { x: (index % cols) * panelWidth, y: titleHeight + Math.floor(index / cols) * panelHeight, width: panelWidth, height: panelHeight },
      x: { domain: niceDomain(x0, x1), label: xKey ?? 'epoch' },
      y: { domain: niceDomain(y0, y1), label: metric },
      title: metric,
      legend: lines.length > 1 ? legend : undefined,
    });
    lines.forEach((l, i) => {
      panel.line(l.xs, l.ys, { color: categoryColor(i) });
      if (l.ys.length <= 50) panel.scatter(l.xs, l.ys, 2.5, { color: categoryColor(i) });
    });
    return panel.toSvg();
  });
  return { svg: svgDocument(width, height, (title ? figureTitle(width, title) : '') + panels.join('')), width, height };
}
