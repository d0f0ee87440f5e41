// 2-D embeddings (t-SNE, UMAP, PCA) as a scatter plot coloured by class.
import { categoryColor } from './colors';
import { Panel, type LegendItem } from './panel';
import type { Plot } from './render';
import { finiteExtent, niceDomain } from './scale';
import { figureTitle, svgDocument } from './svg';

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
    if (flat.length % 2 !== 0) throw new Error(`plotEmbedding2d: a flat point array needs an even length (x, y pairs), got ${flat.length}`);
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
    if (!rows[i] || rows[i].length < 2) throw new Error(`plotEmbedding2d: point ${i} must have 2 coordinates, got ${JSON.stringify(rows[i])}`);
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
    if (!Number.isInteger(c) || c < 0) throw new Error(`plotEmbedding2d: label ${c} is not a class index (a non-negative integer)`);
  }
  const { classNames } = options;
  const name = (c: number) => classNames?.[c] ?? String(c);
  const legend: LegendItem[] | undefined = labels ? classes.map((c) => ({ label: name(c), color: categoryColor(c), kind: 'marker' })) : undefined;

  const titleHeight = options.title ? 26 : 0;
  const { width = 620, height = 500 } = options;
  const panel = new Panel({
    id: 'embedding',
    frame: { x: 0, y: titleHeight, width, height: height - titleHeight },
    x: { domain: niceDomain(...finiteExtent(xs)), label: options.xLabel },
    y: { domain: niceDomain(...finiteExtent(ys)), label: options.yLabel },
    legend,
  });
  const radius = options.radius ?? (n > 5000 ? 1.5 : n > 1000 ? 2 : 3);
  for (const c of classes) {
    const idx = labels ? Array.from({ length: n }, (_, i) => i).filter((i) => labels[i] === c) : Array.from({ length: n }, (_, i) => i);
    panel.scatter(
      idx.map((i) => xs[i]),
      idx.map((i) => ys[i]),
      radius,
      { color: categoryColor(c), opacity: 0.8, className: `class-${c}` },
    );
  }
  return { svg: svgDocument(width, height, (options.title ? figureTitle(width, options.title) : '') + panel.toSvg()), width, height };
}
