// Persistence diagrams and barcodes (H0, H1, ...), with infinite deaths drawn on a line marked ∞.
import { categoryColor } from './colors';
import { Panel, type LegendItem } from './panel';
import type { Plot } from './render';
import { finiteExtent, formatTicks, niceDomain, niceTicks } from './scale';
import { figureTitle, svgDocument } from './svg';

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
    if (!Number.isInteger(d.dim) || d.dim < 0) throw new Error(`${what}: diagram ${k} has dim ${d.dim}, expected a non-negative integer`);
    d.pairs.forEach((p, i) => {
      const [b, e] = p;
      if (p.length !== 2 || !Number.isFinite(b) || Number.isNaN(e) || e === -Infinity || e < b) {
        throw new Error(`${what}: H${d.dim} pair ${i} is ${JSON.stringify(p)}, expected [birth, death] with finite birth and death >= birth (or Infinity)`);
      }
    });
  });
}

/** The finite range of all births and deaths, as a nice domain, and where the ∞ line goes above or right of it. */
function valueRange(diagrams: DiagramToPlot[]): { lo: number; hi: number; inf: number; ticks: number[]; labels: string[] } {
  const values = diagrams.flatMap((d) => d.pairs.flatMap((p) => [p[0], p[1]]));
  const [min, max] = finiteExtent(values);
  const [lo, hi] = niceDomain(Math.min(0, min), max);
  const inf = hi + (hi - lo) * 0.1;
  const ticks = niceTicks(lo, hi);
  return { lo, hi, inf, ticks: [...ticks, inf], labels: [...formatTicks(ticks), '∞'] };
}

function legendFor(diagrams: DiagramToPlot[]): LegendItem[] {
  return diagrams.map((d) => ({ label: `H${d.dim}`, color: categoryColor(d.dim), kind: 'marker' }));
}

/** Birth on x, death on y, the diagonal, and essential classes (death = Infinity) on a dashed line marked ∞. */
export function plotPersistenceDiagram(diagrams: DiagramToPlot[] | DiagramToPlot, options: PersistencePlotOptions = {}): Plot {
  const list = Array.isArray(diagrams) ? diagrams : [diagrams];
  checkDiagrams(list, 'plotPersistenceDiagram');
  const { lo, hi, inf, ticks, labels } = valueRange(list);
  const titleHeight = options.title ? 26 : 0;
  const { width = 520, height = 460 } = options;
  // A margin around the nice range keeps points at its ends (births at 0) fully visible.
  const pad = (hi - lo) * 0.04;
  const panel = new Panel({
    id: 'persistence',
    frame: { x: 0, y: titleHeight, width, height: height - titleHeight },
    x: { domain: [lo - pad, hi + pad], label: 'Birth', ticks: ticks.slice(0, -1) },
    y: { domain: [lo - pad, inf + pad], label: 'Death', ticks, tickLabels: labels },
    legend: legendFor(list),
  });
  panel.segment(lo - pad, lo - pad, hi + pad, hi + pad, { color: '#555', className: 'diagonal' });
  panel.segment(lo - pad, inf, hi + pad, inf, { color: '#555', dash: '4 3', className: 'infinity-line' });
  for (const d of list) {
    const finite = d.pairs.filter((p) => p[1] !== Infinity);
    const essential = d.pairs.filter((p) => p[1] === Infinity);
    const color = categoryColor(d.dim);
    panel.scatter(finite.map((p) => p[0]), finite.map((p) => p[1]), 3.5, { color, opacity: 0.85, className: `h${d.dim}` });
    panel.scatter(essential.map((p) => p[0]), essential.map(() => inf), 3.5, { color, opacity: 0.85, className: `h${d.dim} infinite` });
  }
  return { svg: svgDocument(width, height, (options.title ? figureTitle(width, options.title) : '') + panel.toSvg()), width, height };
}

/** One horizontal bar per pair from birth to death, grouped by dimension; essential bars run to the ∞ mark. */
export function plotBarcode(diagrams: DiagramToPlot[] | DiagramToPlot, options: PersistencePlotOptions = {}): Plot {
  const list = Array.isArray(diagrams) ? diagrams : [diagrams];
  checkDiagrams(list, 'plotBarcode');
  const { lo, hi, inf, ticks, labels } = valueRange(list);
  const bars = list.flatMap((d) => [...d.pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((p) => ({ dim: d.dim, birth: p[0], death: p[1] })));
  const titleHeight = options.title ? 26 : 0;
  const { width = 560, height = 420 } = options;
  const n = Math.max(1, bars.length);
  const panel = new Panel({
    id: 'barcode',
    frame: { x: 0, y: titleHeight, width, height: height - titleHeight },
    x: { domain: [lo - (hi - lo) * 0.02, inf + (hi - lo) * 0.04], label: 'Filtration value', ticks, tickLabels: labels },
    y: { domain: [0, n], ticks: [], reversed: true },
    legend: legendFor(list),
    grid: false,
  });
  panel.segment(inf, 0, inf, n, { color: '#555', dash: '4 3', className: 'infinity-line' });
  const gap = n > 60 ? 0 : 0.15;
  bars.forEach((bar, i) => {
    const infinite = bar.death === Infinity;
    panel.rect(bar.birth, i + gap, infinite ? inf : bar.death, i + 1 - gap, categoryColor(bar.dim), infinite ? `bar infinite h${bar.dim}` : `bar h${bar.dim}`);
  });
  return { svg: svgDocument(width, height, (options.title ? figureTitle(width, options.title) : '') + panel.toSvg()), width, height };
}
