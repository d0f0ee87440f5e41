// A 2-D embedding (t-SNE, UMAP, PCA) as a scatter plot coloured by class.
import { renderVegaLite } from '../charts/vega';
import { categoryColor } from './colors';
import type { Plot } from './render';

export interface Embedding2dOptions {
  /** Names of the class indices in `labels` (legend). */
  classNames?: string[];
  title?: string;
  width?: number;
  height?: number;
  /** Marker radius in px (default: smaller for many points). */
  radius?: number;
  xLabel?: string;
  yLabel?: string;
}

/** Points as [[x, y], ...] or a flat interleaved array x0, y0, x1, y1, ... */
export type Points2d = ArrayLike<number>[] | ArrayLike<number>;

function splitCoordinates(points: Points2d): { xs: Float64Array; ys: Float64Array } {
  if (points.length > 0 && typeof points[0] === 'number') {
    const flat = points as ArrayLike<number>;
    if (flat.length % 2 !== 0)
      throw new Error(`plotEmbedding2d: a flat point array needs an even length (x, y pairs), got ${flat.length}`);
    const n = flat.length / 2;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      xs[i] = flat[2 * i];
      ys[i] = flat[2 * i + 1];
    }
    return { xs, ys };
  }
  const rows = points as ArrayLike<number>[];
  const xs = new Float64Array(rows.length);
  const ys = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (!rows[i] || rows[i].length < 2)
      throw new Error(`plotEmbedding2d: point ${i} must have 2 coordinates, got ${JSON.stringify(rows[i])}`);
    xs[i] = rows[i][0];
    ys[i] = rows[i][1];
  }
  return { xs, ys };
}

export function plotEmbedding2d(points: Points2d, labels?: ArrayLike<number>, options: Embedding2dOptions = {}): Plot {
  const { xs, ys } = splitCoordinates(points);
  const n = xs.length;
  if (labels && labels.length !== n) throw new Error(`plotEmbedding2d: ${labels.length} labels for ${n} points`);
  const classes = labels ? [...new Set(Array.from(labels))].sort((a, b) => a - b) : [0];
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0)
      throw new Error(`plotEmbedding2d: label ${c} is not a class index (a non-negative integer)`);
  }
  const name = (c: number) => options.classNames?.[c] ?? String(c);
  const values = Array.from(xs, (x, i) => ({ x, y: ys[i], class: name(labels ? labels[i] : 0) }));
  const radius = options.radius ?? (n > 5000 ? 1.5 : n > 1000 ? 2 : 3);
  const { width = 620, height = 500 } = options;
  return renderVegaLite({
    ...(options.title ? { title: options.title } : {}),
    width,
    height,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values },
    mark: { type: 'circle', size: Math.PI * radius * radius, opacity: 0.8 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xLabel ?? null, scale: { zero: false, nice: true } },
      y: { field: 'y', type: 'quantitative', title: options.yLabel ?? null, scale: { zero: false, nice: true } },
      color: {
        field: 'class',
        type: 'nominal',
        title: null,
        scale: { domain: classes.map(name), range: classes.map(categoryColor) },
        legend: labels ? {} : null,
      },
    },
  });
}
