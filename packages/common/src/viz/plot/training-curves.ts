// Training curves: one panel per metric, one line per split, as a Vega-Lite concatenation of layered charts.
import { renderVegaLite } from '../charts/vega';
import { categoryColor } from './colors';
import type { Plot } from './render';

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
  if (xKey !== undefined && !columns.has(xKey))
    throw new Error(
      `plotTrainingCurves: x column '${xKey}' is not in the history (columns: ${[...columns.keys()].join(', ')})`,
    );

  const byMetric = new Map<string, Array<{ key: string; split: string }>>();
  for (const key of columns.keys()) {
    if (key === xKey) continue;
    const { metric, split } = parseSeriesKey(key);
    if (!byMetric.has(metric)) byMetric.set(metric, []);
    byMetric.get(metric)!.push({ key, split });
  }
  const metrics = options.metrics ?? [...byMetric.keys()];
  for (const m of metrics) {
    if (!byMetric.has(m))
      throw new Error(
        `plotTrainingCurves: metric '${m}' is not in the history (metrics: ${[...byMetric.keys()].join(', ')})`,
      );
  }
  if (metrics.length === 0) throw new Error('plotTrainingCurves: no metric to plot');

  const { panelWidth = 380, panelHeight = 270, title } = options;
  const xTitle = xKey ?? 'epoch';
  const panels = metrics.map((metric) => {
    const series = byMetric.get(metric)!.sort((a, b) => SPLITS.indexOf(a.split) - SPLITS.indexOf(b.split));
    // Missing values become null: the line breaks there (invalid: 'break-paths-show-domains') and no marker is drawn.
    const values = series.flatMap(({ key }) => {
      const ys = columns.get(key)!;
      const xs = xKey ? columns.get(xKey)! : ys.map((_, i) => i + 1);
      return ys.map((y, i) => ({ series: key, x: xs[i], y: Number.isFinite(y) ? y : null }));
    });
    const keys = series.map((s) => s.key);
    const integerX = values.every((v) => Number.isInteger(v.x));
    const color = {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { domain: keys, range: keys.map((_, i) => categoryColor(i)) },
      legend: keys.length > 1 ? { orient: 'bottom', direction: 'horizontal' } : null,
    };
    const encoding = {
      // Whole epochs or steps get whole-number ticks.
      x: {
        field: 'x',
        type: 'quantitative',
        title: xTitle,
        scale: { zero: false, nice: true },
        axis: integerX ? { tickMinStep: 1 } : {},
      },
      y: { field: 'y', type: 'quantitative', title: metric, scale: { zero: false, nice: true } },
      color,
    };
    const showMarkers = Math.max(...series.map((s) => columns.get(s.key)!.length)) <= 50;
    return {
      title: metric,
      width: panelWidth - 90,
      height: panelHeight - 80,
      data: { values },
      encoding,
      layer: [
        { mark: { type: 'line', invalid: 'break-paths-show-domains', strokeWidth: 1.8 } },
        ...(showMarkers ? [{ mark: { type: 'point', filled: true, size: 20, opacity: 1 } }] : []),
      ],
    };
  });
  return renderVegaLite({
    ...(title ? { title } : {}),
    columns: Math.min(options.cols ?? 3, metrics.length),
    concat: panels,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  });
}
