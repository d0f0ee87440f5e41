import { viridis, rgbHex } from './colors';
import { plotConfusionMatrix } from './confusionMatrix';
import { plotEmbedding2d } from './embedding';
import { plotBarcode, plotPersistenceDiagram } from './persistence';
import { plotTrainingCurves } from './trainingCurves';

// A small XML reader for the generated SVG: checks that tags nest and close, and records each element with the
// classes of its ancestors and its text.
interface Node {
  name: string;
  attrs: Record<string, string>;
  ancestors: string[];
  text: string;
}
function parseSvg(svg: string): Node[] {
  const nodes: Node[] = [];
  const stack: Node[] = [];
  const token = /<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(svg))) {
    expect(m.index).toBe(consumed);
    consumed = token.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      if (stack.length) stack[stack.length - 1].text += text;
      continue;
    }
    if (closing) {
      expect(stack.pop()?.name).toBe(name);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, k, v] of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[k] = v;
    const node = { name, attrs, ancestors: stack.map((s) => s.attrs.class ?? ''), text: '' };
    nodes.push(node);
    if (!selfClosing) stack.push(node);
  }
  expect(consumed).toBe(svg.length);
  expect(stack).toHaveLength(0);
  return nodes;
}
const hasClass = (n: Node, c: string) => (n.attrs.class ?? '').split(' ').includes(c);
const byClass = (nodes: Node[], c: string) => nodes.filter((n) => hasClass(n, c));
const inside = (n: Node, c: string) => n.ancestors.some((a) => a.split(' ').includes(c));
/** The first panel's axis: its domain and tick values. */
function axis(nodes: Node[], which: 'x-axis' | 'y-axis') {
  const group = byClass(nodes, which);
  const ticks = nodes.filter((n) => hasClass(n, 'tick') && inside(n, which));
  return { min: Number(group[0].attrs['data-min']), max: Number(group[0].attrs['data-max']), ticks: ticks.map((t) => Number(t.attrs['data-value'])) };
}
function isNice(step: number): boolean {
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-12);
  return [1, 2, 5, 10].some((v) => Math.abs(mantissa - v) < 1e-9);
}

describe('plotTrainingCurves', () => {
  const history = Array.from({ length: 12 }, (_, i) => ({ epoch: i + 1, loss: 2 / (i + 1), val_loss: 2.5 / (i + 1) + 0.1, accuracy: 0.5 + i * 0.04, val_accuracy: 0.45 + i * 0.038 }));

  it('draws one panel per metric and one line plus one marker per point for each series', () => {
    const plot = plotTrainingCurves(history, { metrics: ['loss', 'accuracy'] });
    const nodes = parseSvg(plot.svg);
    expect(byClass(nodes, 'panel')).toHaveLength(2);
    expect(byClass(nodes, 'series')).toHaveLength(4);
    expect(byClass(nodes, 'marker')).toHaveLength(4 * 12);
    expect(byClass(nodes, 'legend-item').map((n) => nodes[nodes.indexOf(n) + 2].text)).toEqual(['loss', 'val_loss', 'accuracy', 'val_accuracy']);
    expect(plot).toMatchObject({ width: 760, height: 270 });
  });

  it('uses axis ranges that contain the data, with evenly spaced nice ticks', () => {
    const nodes = parseSvg(plotTrainingCurves(history, { metrics: ['loss'] }).svg);
    const y = axis(nodes, 'y-axis');
    const x = axis(nodes, 'x-axis');
    expect(y.min).toBeLessThanOrEqual(2 / 12);
    expect(y.max).toBeGreaterThanOrEqual(2.6);
    expect(x.min).toBeLessThanOrEqual(1);
    expect(x.max).toBeGreaterThanOrEqual(12);
    for (const { ticks } of [x, y]) {
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      const step = ticks[1] - ticks[0];
      expect(isNice(step)).toBe(true);
      ticks.forEach((t, i) => expect(t).toBeCloseTo(ticks[0] + i * step, 9));
    }
  });

  it('places markers at the data positions of the scales', () => {
    const nodes = parseSvg(plotTrainingCurves([{ loss: 0 }, { loss: 10 }]).svg);
    const [a, b] = byClass(nodes, 'marker').map((n) => Number(n.attrs.cy));
    const frame = byClass(nodes, 'frame')[0].attrs;
    expect(a).toBeCloseTo(Number(frame.y) + Number(frame.height), 1); // loss 0 at the bottom (domain 0..10)
    expect(b).toBeCloseTo(Number(frame.y), 1);
  });

  it('reads columns as well as records, and breaks lines at missing values', () => {
    const columns = plotTrainingCurves({ loss: [3, 2, NaN, 1] });
    const nodes = parseSvg(columns.svg);
    expect(byClass(nodes, 'series')).toHaveLength(2);
    expect(byClass(nodes, 'marker')).toHaveLength(3);
    expect(plotTrainingCurves([{ loss: 3 }, { loss: 2 }, { loss: NaN }, { loss: 1 }]).svg).toBe(columns.svg);
  });

  it('names a missing metric or x column and lists the ones there are', () => {
    expect(() => plotTrainingCurves(history, { metrics: ['f1'] })).toThrow("metric 'f1' is not in the history (metrics: loss, accuracy)");
    expect(() => plotTrainingCurves(history, { x: 'step' })).toThrow("x column 'step' is not in the history");
    expect(() => plotTrainingCurves([])).toThrow('no numeric columns');
  });
});

describe('plotConfusionMatrix', () => {
  const matrix = [
    [5, 1, 0],
    [2, 3, 0],
    [0, 0, 0],
  ];

  it('draws n² cells with the counts, the largest in the top colour of viridis', () => {
    const plot = plotConfusionMatrix(matrix, ['cat', 'dog', 'bird']);
    expect(Number.isInteger(plot.width) && Number.isInteger(plot.height)).toBe(true);
    const nodes = parseSvg(plot.svg);
    const cells = byClass(nodes, 'cell');
    expect(cells).toHaveLength(9);
    expect(byClass(nodes, 'cell-value').map((n) => n.text)).toEqual(['5', '1', '0', '2', '3', '0', '0', '0', '0']);
    expect(cells[0].attrs.fill).toBe(rgbHex(viridis(1)));
    expect(cells[2].attrs.fill).toBe(rgbHex(viridis(0)));
    expect(nodes.filter((n) => hasClass(n, 'tick') && inside(n, 'y-axis')).map((t) => nodes[nodes.indexOf(t) + 2].text)).toEqual(['cat', 'dog', 'bird']);
  });

  it('normalises over true labels like sklearn (an empty row stays 0) and lays rows top to bottom', () => {
    const nodes = parseSvg(plotConfusionMatrix(matrix, undefined, { normalize: 'true' }).svg);
    expect(byClass(nodes, 'cell-value').map((n) => n.text)).toEqual(['0.83', '0.17', '0.00', '0.40', '0.60', '0.00', '0.00', '0.00', '0.00']);
    const ys = byClass(nodes, 'cell').map((c) => Number(c.attrs.y));
    expect(ys[0]).toBeLessThan(ys[3]);
    expect(ys[3]).toBeLessThan(ys[6]);
  });

  it('rejects a non-square matrix, negative counts and a wrong number of labels', () => {
    expect(() => plotConfusionMatrix([[1, 2]])).toThrow('row 0 has 2 values, expected 1 (a square matrix)');
    expect(() => plotConfusionMatrix([[-1]])).toThrow('cell [0][0] = -1, expected a finite count >= 0');
    expect(() => plotConfusionMatrix(matrix, ['a'])).toThrow('1 labels for a 3x3 matrix');
  });
});

describe('plotEmbedding2d', () => {
  const points = Array.from({ length: 30 }, (_, i) => [Math.cos(i) * (i % 3) * 10, Math.sin(i) * 4 - 20]);
  const labels = points.map((_, i) => i % 3);

  it('draws one marker per point, coloured by class, with a legend of class names', () => {
    const nodes = parseSvg(plotEmbedding2d(points, labels, { classNames: ['a', 'b', 'c'] }).svg);
    expect(byClass(nodes, 'marker')).toHaveLength(30);
    for (const c of [0, 1, 2]) expect(byClass(nodes, `class-${c}`)).toHaveLength(10);
    expect(new Set(byClass(nodes, 'class-1').map((n) => n.attrs.fill))).toEqual(new Set(['#ff7f0e']));
    expect(byClass(nodes, 'legend-item').map((n) => nodes[nodes.indexOf(n) + 2].text)).toEqual(['a', 'b', 'c']);
    const x = axis(nodes, 'x-axis');
    const y = axis(nodes, 'y-axis');
    expect(x.min).toBeLessThanOrEqual(Math.min(...points.map((p) => p[0])));
    expect(x.max).toBeGreaterThanOrEqual(Math.max(...points.map((p) => p[0])));
    expect(y.min).toBeLessThanOrEqual(-24);
    expect(y.max).toBeGreaterThanOrEqual(-16);
  });

  it('accepts interleaved coordinates and rejects mismatched labels', () => {
    const flat = Float32Array.from(points.flat());
    expect(byClass(parseSvg(plotEmbedding2d(flat).svg), 'marker')).toHaveLength(30);
    expect(() => plotEmbedding2d(points, [0, 1])).toThrow('2 labels for 30 points');
    expect(() => plotEmbedding2d(points, labels.map(() => 0.5))).toThrow('label 0.5 is not a class index');
  });
});

describe('persistence plots', () => {
  const diagrams = [
    { dim: 0, pairs: [[0, 0.5], [0, 1.25], [0, Infinity]] as Array<[number, number]> },
    { dim: 1, pairs: [[0.75, 1.5], [1, Infinity]] as Array<[number, number]> },
  ];

  it('draws finite points, essential points on the ∞ line, and the diagonal', () => {
    const nodes = parseSvg(plotPersistenceDiagram(diagrams).svg);
    expect(byClass(nodes, 'marker')).toHaveLength(5);
    expect(byClass(nodes, 'h0')).toHaveLength(3);
    const infinite = byClass(nodes, 'infinite');
    expect(infinite).toHaveLength(2);
    const line = byClass(nodes, 'infinity-line')[0].attrs;
    for (const p of infinite) expect(p.attrs.cy).toBe(line.y1);
    const finite = byClass(nodes, 'marker').filter((n) => !hasClass(n, 'infinite'));
    for (const p of finite) expect(Number(p.attrs.cy)).toBeGreaterThan(Number(line.y1)); // below the ∞ line on screen
    const diagonal = byClass(nodes, 'diagonal')[0].attrs;
    expect(Number(diagonal.x2) - Number(diagonal.x1)).toBeGreaterThan(0);
    const yTicks = nodes.filter((n) => hasClass(n, 'tick') && inside(n, 'y-axis'));
    expect(nodes[nodes.indexOf(yTicks[yTicks.length - 1]) + 2].text).toBe('∞');
    // The ∞ tick sits on the ∞ line.
    expect(nodes[nodes.indexOf(yTicks[yTicks.length - 1]) + 1].attrs.y1).toBe(line.y1);
  });

  it('draws a point with death > birth above the diagonal', () => {
    const nodes = parseSvg(plotPersistenceDiagram({ dim: 1, pairs: [[0.5, 1.5]] }).svg);
    const p = byClass(nodes, 'marker')[0].attrs;
    const d = byClass(nodes, 'diagonal')[0].attrs;
    const t = (Number(p.cx) - Number(d.x1)) / (Number(d.x2) - Number(d.x1));
    const diagonalY = Number(d.y1) + t * (Number(d.y2) - Number(d.y1));
    expect(Number(p.cy)).toBeLessThan(diagonalY - 50);
  });

  it('draws one bar per pair; essential bars end at the ∞ line', () => {
    const nodes = parseSvg(plotBarcode(diagrams).svg);
    const bars = byClass(nodes, 'bar');
    expect(bars).toHaveLength(5);
    const line = byClass(nodes, 'infinity-line')[0].attrs;
    for (const bar of byClass(nodes, 'infinite')) expect(Number(bar.attrs.x) + Number(bar.attrs.width)).toBeCloseTo(Number(line.x1), 1);
    // Bars grouped by dimension, sorted by birth: lengths of the H0 bars grow as their deaths do.
    const widths = bars.map((b) => Number(b.attrs.width));
    expect(widths[0]).toBeLessThan(widths[1]);
    expect(widths[1]).toBeLessThan(widths[2]);
    expect(bars.slice(3).every((b) => hasClass(b, 'h1'))).toBe(true);
  });

  it('handles empty diagrams and rejects points below the diagonal', () => {
    expect(byClass(parseSvg(plotPersistenceDiagram([{ dim: 0, pairs: [] }]).svg), 'marker')).toHaveLength(0);
    expect(() => plotPersistenceDiagram([{ dim: 1, pairs: [[2, 1]] }])).toThrow('plotPersistenceDiagram: H1 pair 0 is [2,1], expected [birth, death]');
    expect(() => plotBarcode([{ dim: 0, pairs: [[NaN, 1]] }])).toThrow('plotBarcode: H0 pair 0');
  });
});
