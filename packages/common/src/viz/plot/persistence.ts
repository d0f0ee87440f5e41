// Persistence diagrams and barcodes, with essential classes (death = Infinity) drawn on a dashed ∞ line.
import { loadVega, renderVegaLite } from '../charts/vega';
import { categoryColor } from './colors';
import type { Plot } from './render';

/** One homology dimension's pairs [birth, death]; death = Infinity for essential classes. */
export interface DiagramToPlot {
  dim: number;
  pairs: ReadonlyArray<readonly number[]>;
}

export interface PersistencePlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

function checkDiagrams(diagrams: DiagramToPlot[], what: string): void {
  diagrams.forEach((d, k) => {
    if (!Number.isInteger(d.dim) || d.dim < 0)
      throw new Error(`${what}: diagram ${k} has dim ${d.dim}, expected a non-negative integer`);
    d.pairs.forEach((p, i) => {
      const [b, e] = p;
      if (p.length !== 2 || !Number.isFinite(b) || Number.isNaN(e) || e === -Infinity || e < b) {
        throw new Error(
          `${what}: H${d.dim} pair ${i} is ${JSON.stringify(p)}, expected [birth, death] with finite birth and death >= birth (or Infinity)`,
        );
      }
    });
  });
}

/** The finite births and deaths as a nice domain (vega's linear scale), its ticks, and the ∞ line 10% above it. */
function valueRange(diagrams: DiagramToPlot[]): { lo: number; hi: number; inf: number; ticks: number[] } {
  const finite = diagrams.flatMap((d) => d.pairs.flatMap((p) => [p[0], p[1]])).filter(Number.isFinite);
  const max = finite.length ? Math.max(...finite) : 1;
  const min = Math.min(0, ...finite);
  const scale = loadVega()
    .vega.scale('linear')()
    .domain([min, max > min ? max : min + 1])
    .nice();
  const [lo, hi] = scale.domain() as [number, number];
  return { lo, hi, inf: hi + (hi - lo) * 0.1, ticks: scale.ticks() as number[] };
}

/** Axis labels: the nice ticks, and '∞' at the ∞ line. */
function axisWithInfinity(ticks: number[], inf: number, title: string): Record<string, unknown> {
  return { title, values: [...ticks, inf], labelExpr: `datum.value >= ${inf} ? '∞' : datum.label`, grid: false };
}

function dimColor(diagrams: DiagramToPlot[]): Record<string, unknown> {
  return {
    field: 'dim',
    type: 'nominal',
    title: null,
    scale: { domain: diagrams.map((d) => `H${d.dim}`), range: diagrams.map((d) => categoryColor(d.dim)) },
  };
}

/** Birth on x, death on y, the diagonal, and essential classes (death = Infinity) on a dashed line marked ∞. */
export function plotPersistenceDiagram(
  diagrams: DiagramToPlot[] | DiagramToPlot,
  options: PersistencePlotOptions = {},
): Plot {
  const list = Array.isArray(diagrams) ? diagrams : [diagrams];
  checkDiagrams(list, 'plotPersistenceDiagram');
  const { lo, hi, inf, ticks } = valueRange(list);
  const pad = (hi - lo) * 0.04;
  const points = list.flatMap((d) =>
    d.pairs.map((p) => ({ dim: `H${d.dim}`, birth: p[0], death: p[1] === Infinity ? inf : p[1] })),
  );
  const { width = 520, height = 460 } = options;
  const xScale = { domain: [lo - pad, hi + pad], nice: false, zero: false };
  const yScale = { domain: [lo - pad, inf + pad], nice: false, zero: false };
  return renderVegaLite({
    ...(options.title ? { title: options.title } : {}),
    width,
    height,
    autosize: { type: 'fit', contains: 'padding' },
    layer: [
      {
        data: { values: [{ a: lo - pad, b: hi + pad }] },
        mark: { type: 'rule', name: 'diagonal', color: '#555' },
        encoding: {
          x: { field: 'a', type: 'quantitative', scale: xScale, title: 'Birth', axis: { values: ticks, grid: false } },
          y: { field: 'a', type: 'quantitative', scale: yScale, axis: axisWithInfinity(ticks, inf, 'Death') },
          x2: { field: 'b' },
          y2: { field: 'b' },
        },
      },
      {
        data: { values: [{ a: lo - pad, b: hi + pad, inf }] },
        mark: { type: 'rule', name: 'infinity-line', color: '#555', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'a', type: 'quantitative' },
          x2: { field: 'b' },
          y: { field: 'inf', type: 'quantitative' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'circle', name: 'pairs', size: 40, opacity: 0.85 },
        encoding: {
          x: { field: 'birth', type: 'quantitative' },
          y: { field: 'death', type: 'quantitative' },
          color: dimColor(list),
        },
      },
    ],
  });
}

/** One horizontal bar per pair from birth to death, grouped by dimension; essential bars run to the ∞ mark. */
export function plotBarcode(diagrams: DiagramToPlot[] | DiagramToPlot, options: PersistencePlotOptions = {}): Plot {
  const list = Array.isArray(diagrams) ? diagrams : [diagrams];
  checkDiagrams(list, 'plotBarcode');
  const { lo, hi, inf, ticks } = valueRange(list);
  const sorted = list.flatMap((d) => [...d.pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => ({ d, p })));
  const n = Math.max(1, sorted.length);
  const gap = n > 60 ? 0 : 0.15;
  const bars = sorted.map(({ d, p }, i) => ({
    dim: `H${d.dim}`,
    birth: p[0],
    death: p[1] === Infinity ? inf : p[1],
    top: i + gap,
    bottom: i + 1 - gap,
  }));
  const { width = 560, height = 420 } = options;
  const xScale = { domain: [lo - (hi - lo) * 0.02, inf + (hi - lo) * 0.04], nice: false, zero: false };
  return renderVegaLite({
    ...(options.title ? { title: options.title } : {}),
    width,
    height,
    autosize: { type: 'fit', contains: 'padding' },
    layer: [
      {
        data: { values: bars },
        mark: { type: 'rect', name: 'bars' },
        encoding: {
          x: {
            field: 'birth',
            type: 'quantitative',
            scale: xScale,
            axis: axisWithInfinity(ticks, inf, 'Filtration value'),
          },
          x2: { field: 'death' },
          y: { field: 'top', type: 'quantitative', scale: { domain: [0, n], reverse: true, nice: false }, axis: null },
          y2: { field: 'bottom' },
          color: dimColor(list),
        },
      },
      {
        data: { values: [{ inf, top: 0, bottom: n }] },
        mark: { type: 'rule', name: 'infinity-line', color: '#555', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'inf', type: 'quantitative' },
          y: { field: 'top', type: 'quantitative' },
          y2: { field: 'bottom' },
        },
      },
    ],
  });
}
