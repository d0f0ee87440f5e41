import { plotConfusionMatrix } from './confusion-matrix';
import { plotEmbedding2d } from './embedding';
import { plotBarcode, plotPersistenceDiagram } from './persistence';
import { plotTrainingCurves } from './training-curves';

// The plots are Vega-Lite charts: vega writes every data mark with an aria-label naming its fields and values
// ("epoch: 3; loss: 0.67; series: loss"), so the tests read the data back from the SVG rather than pixels.
interface Mark {
  kind: string;
  fields: Record<string, string>;
  attrs: Record<string, string>;
  text: string;
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const [, k, v] of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[k] = v;
  return attrs;
}

function marks(svg: string, kind?: string): Mark[] {
  const out: Mark[] = [];
  for (const m of svg.matchAll(/<(path|text|line)( [^>]*aria-roledescription="([^"]+)"[^>]*)>(?:([^<]*)<\/text>)?/g)) {
    const attrs = attributes(m[2]);
    if (!attrs['aria-label'] || !/mark$|^circle$|^point$/.test(m[3])) continue;
    if (kind && m[3] !== kind) continue;
    const fields: Record<string, string> = {};
    for (const part of attrs['aria-label'].split('; ')) {
      const at = part.indexOf(': ');
      fields[part.slice(0, at)] = part.slice(at + 2);
    }
    out.push({ kind: m[3], fields, attrs, text: m[4] ?? '' });
  }
  return out;
}

/** vega's number format: '−' for minus, thousands separators. */
const num = (s: string) => Number(s.replace('−', '-').replace(/,/g, ''));
const texts = (svg: string, role: string) =>
  [...svg.matchAll(new RegExp(`<g class="mark-text role-${role}"[^>]*>(.*?)</g>`, 'g'))].flatMap((g) =>
    [...g[1].matchAll(/>([^<]+)<\/text>/g)].map((t) => t[1]),
  );

describe('plotTrainingCurves', () => {
  const history = Array.from({ length: 12 }, (_, i) => ({
    epoch: i + 1,
    loss: 2 / (i + 1),
    val_loss: 2.5 / (i + 1) + 0.1,
    accuracy: 0.5 + i * 0.04,
    val_accuracy: 0.45 + i * 0.038,
  }));

  it('draws one panel per metric, one line per series and a marker per point at the data values', () => {
    const plot = plotTrainingCurves(history, { metrics: ['loss', 'accuracy'], title: 'run 1' });
    expect(texts(plot.svg, 'title-text')).toEqual(['loss', 'accuracy', 'run 1']);
    expect(marks(plot.svg, 'line mark')).toHaveLength(4);
    const points = marks(plot.svg, 'point');
    expect(points).toHaveLength(4 * 12);
    const valLoss = points
      .filter((p) => p.fields.series === 'val_loss')
      .map((p) => [num(p.fields.epoch), num(p.fields.loss)]);
    expect(valLoss).toHaveLength(12);
    valLoss.forEach(([epoch, loss]) => expect(loss).toBeCloseTo(2.5 / epoch + 0.1, 2));
    expect(texts(plot.svg, 'legend-label')).toEqual(['loss', 'val_loss', 'accuracy', 'val_accuracy']);
    expect(texts(plot.svg, 'axis-title')).toEqual(['epoch', 'loss', 'epoch', 'accuracy']);
    // The same colours for the same split in every panel (tab10: blue, orange).
    expect(marks(plot.svg, 'line mark').map((l) => l.attrs.stroke)).toEqual([
      '#1f77b4',
      '#ff7f0e',
      '#1f77b4',
      '#ff7f0e',
    ]);
    expect(plot.width).toBeGreaterThan(600);
  });

  it('reads columns as well as records, and breaks the line at a missing value', () => {
    const columns = plotTrainingCurves({ loss: [3, 2, NaN, 1] });
    expect(marks(columns.svg, 'point').map((p) => num(p.fields.loss))).toEqual([3, 2, 1]);
    const [line] = marks(columns.svg, 'line mark');
    expect(line.attrs.d.match(/M/g)).toHaveLength(2); // two sub-paths: 3 → 2, then 1
    expect(plotTrainingCurves([{ loss: 3 }, { loss: 2 }, { loss: NaN }, { loss: 1 }]).svg).toBe(columns.svg);
  });

  it('leaves markers out of long histories', () => {
    const long = plotTrainingCurves({ loss: Array.from({ length: 60 }, (_, i) => 1 / (i + 1)) });
    expect(marks(long.svg, 'line mark')).toHaveLength(1);
    expect(marks(long.svg, 'point')).toHaveLength(0);
  });

  it('names a missing metric or x column and lists the ones there are', () => {
    expect(() => plotTrainingCurves(history, { metrics: ['f1'] })).toThrow(
      "metric 'f1' is not in the history (metrics: loss, accuracy)",
    );
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
    const cells = marks(plot.svg, 'rect mark');
    expect(cells.map((c) => [c.fields['True label'], c.fields['Predicted label'], num(c.fields.value)])).toEqual([
      ['cat', 'cat', 5],
      ['cat', 'dog', 1],
      ['cat', 'bird', 0],
      ['dog', 'cat', 2],
      ['dog', 'dog', 3],
      ['dog', 'bird', 0],
      ['bird', 'cat', 0],
      ['bird', 'dog', 0],
      ['bird', 'bird', 0],
    ]);
    expect(marks(plot.svg, 'text mark').map((t) => t.text)).toEqual(['5', '1', '0', '2', '3', '0', '0', '0', '0']);
    expect(cells[0].attrs.fill).toBe('rgb(253, 231, 37)'); // viridis(1)
    expect(cells[2].attrs.fill).toBe('rgb(68, 1, 84)'); // viridis(0)
    expect(texts(plot.svg, 'axis-label')).toEqual(expect.arrayContaining(['cat', 'dog', 'bird']));
    expect(texts(plot.svg, 'axis-title')).toEqual(['Predicted label', 'True label']);
  });

  it('normalises over true labels like sklearn (an empty row stays 0) and lays rows top to bottom', () => {
    const plot = plotConfusionMatrix(matrix, undefined, { normalize: 'true' });
    expect(marks(plot.svg, 'text mark').map((t) => t.text)).toEqual([
      '0.83',
      '0.17',
      '0.00',
      '0.40',
      '0.60',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
    ]);
    const rowY = marks(plot.svg, 'rect mark').map((c) => Number(/M[\d.-]+,([\d.-]+)/.exec(c.attrs.d)![1]));
    expect(rowY[0]).toBeLessThan(rowY[3]);
    expect(rowY[3]).toBeLessThan(rowY[6]);
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

  it('draws one marker per point at its coordinates, coloured by class, with a legend of class names', () => {
    const plot = plotEmbedding2d(points, labels, { classNames: ['a', 'b', 'c'] });
    const dots = marks(plot.svg, 'circle');
    expect(dots).toHaveLength(30);
    dots.forEach((d, i) => {
      expect(num(d.fields.x)).toBeCloseTo(points[i][0], 6);
      expect(num(d.fields.y)).toBeCloseTo(points[i][1], 6);
      expect(d.fields.class).toBe(['a', 'b', 'c'][labels[i]]);
    });
    expect(new Set(dots.filter((d) => d.fields.class === 'b').map((d) => d.attrs.fill))).toEqual(new Set(['#ff7f0e']));
    expect(texts(plot.svg, 'legend-label')).toEqual(['a', 'b', 'c']);
  });

  it('accepts interleaved coordinates and rejects mismatched labels', () => {
    const flat = Float32Array.from(points.flat());
    expect(marks(plotEmbedding2d(flat).svg, 'circle')).toHaveLength(30);
    expect(() => plotEmbedding2d(points, [0, 1])).toThrow('2 labels for 30 points');
    expect(() =>
      plotEmbedding2d(
        points,
        labels.map(() => 0.5),
      ),
    ).toThrow('label 0.5 is not a class index');
  });
});

describe('persistence plots', () => {
  const diagrams = [
    {
      dim: 0,
      pairs: [
        [0, 0.5],
        [0, 1.25],
        [0, Infinity],
      ] as Array<[number, number]>,
    },
    {
      dim: 1,
      pairs: [
        [0.75, 1.5],
        [1, Infinity],
      ] as Array<[number, number]>,
    },
  ];

  it('draws finite points, essential points on the ∞ line, and the diagonal', () => {
    const plot = plotPersistenceDiagram(diagrams);
    const points = marks(plot.svg, 'circle');
    expect(points.map((p) => [p.fields.dim, num(p.fields.birth)])).toEqual([
      ['H0', 0],
      ['H0', 0],
      ['H0', 0],
      ['H1', 0.75],
      ['H1', 1],
    ]);
    const [diagonal, infinity] = marks(plot.svg, 'rule mark');
    const inf = num(infinity.fields.inf);
    expect(inf).toBeGreaterThan(1.5);
    expect(points.filter((p) => num(p.fields.death) === inf).map((p) => num(p.fields.birth))).toEqual([0, 1]);
    expect(points.filter((p) => num(p.fields.death) < inf).map((p) => num(p.fields.death))).toEqual([0.5, 1.25, 1.5]);
    expect(infinity.attrs['stroke-dasharray']).toBe('4,3');
    // The diagonal runs from (a, a) to (b, b): lower left to upper right on screen.
    const [dx, dy] = [Number(diagonal.attrs.x2), Number(diagonal.attrs.y2)];
    expect(dx).toBeGreaterThan(100);
    expect(dy).toBeLessThan(-100);
    expect(texts(plot.svg, 'axis-label')).toContain('∞');
    expect(texts(plot.svg, 'legend-label')).toEqual(['H0', 'H1']);
  });

  it('draws one bar per pair, grouped by dimension and sorted by birth; essential bars end at the ∞ line', () => {
    const plot = plotBarcode(diagrams);
    const bars = marks(plot.svg, 'rect mark');
    const [infinity] = marks(plot.svg, 'rule mark');
    const inf = num(infinity.fields.inf);
    expect(bars.map((b) => [b.fields.dim, num(b.fields.birth), num(b.fields.death)])).toEqual([
      ['H0', 0, 0.5],
      ['H0', 0, 1.25],
      ['H0', 0, inf],
      ['H1', 0.75, 1.5],
      ['H1', 1, inf],
    ]);
    const widths = bars.map((b) => Number(/h([\d.]+)/.exec(b.attrs.d)![1]));
    expect(widths[0]).toBeLessThan(widths[1]);
    expect(widths[1]).toBeLessThan(widths[2]);
    expect(texts(plot.svg, 'axis-label')).toContain('∞');
  });

  it('handles empty diagrams and rejects points below the diagonal', () => {
    expect(marks(plotPersistenceDiagram([{ dim: 0, pairs: [] }]).svg, 'circle')).toHaveLength(0);
    expect(() => plotPersistenceDiagram([{ dim: 1, pairs: [[2, 1]] }])).toThrow(
      'plotPersistenceDiagram: H1 pair 0 is [2,1], expected [birth, death]',
    );
    expect(() => plotBarcode([{ dim: 0, pairs: [[NaN, 1]] }])).toThrow('plotBarcode: H0 pair 0');
  });
});
