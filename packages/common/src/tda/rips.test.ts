import { pairwiseDistances, type PointMatrix } from './distances';
import { close, ripsGolden } from './golden/golden';
import { ripsPersistence } from './rips';
import type { PersistencePair } from './types';

function sorted(pairs: PersistencePair[]): PersistencePair[] {
  return [...pairs].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

function expectSameDiagram(actual: PersistencePair[], expected: PersistencePair[], label: string): void {
  const a = sorted(actual);
  const e = sorted(expected);
  expect({ label, count: a.length }).toEqual({ label, count: e.length });
  const bad = a.findIndex((p, i) => !close(p[0], e[i][0]) || !close(p[1], e[i][1]));
  expect({ label, mismatch: bad < 0 ? null : { index: bad, actual: a[bad], expected: e[bad] } }).toEqual({
    label,
    mismatch: null,
  });
}

describe('ripsPersistence against GUDHI RipsComplex(max_edge_length=inf)', () => {
  for (const c of ripsGolden()) {
    it(c.name, () => {
      const diagrams = c.points
        ? ripsPersistence(c.points, { maxDim: 1 })
        : ripsPersistence({ distanceMatrix: c.distanceMatrix! });
      expect(diagrams.map((d) => d.dim)).toEqual([0, 1]);
      expectSameDiagram(diagrams[0].pairs, c.h0, `${c.name} H0`);
      expectSameDiagram(diagrams[1].pairs, c.h1, `${c.name} H1`);
    });
  }
});

describe('ripsPersistence', () => {
  const circle: number[][] = Array.from({ length: 24 }, (_, i) => [
    Math.cos((2 * Math.PI * i) / 24),
    Math.sin((2 * Math.PI * i) / 24),
  ]);

  it('handles 0, 1 and 2 points', () => {
    expect(ripsPersistence([])).toEqual([
      { dim: 0, pairs: [] },
      { dim: 1, pairs: [] },
    ]);
    expect(ripsPersistence([[3, 4]])[0].pairs).toEqual([[0, Infinity]]);
    expect(
      ripsPersistence([
        [0, 0],
        [3, 4],
      ]),
    ).toEqual([
      {
        dim: 0,
        pairs: [
          [0, 5],
          [0, Infinity],
        ],
      },
      { dim: 1, pairs: [] },
    ]);
  });

  it('finds one H1 class on a circle and stops at maxDim 0 when asked', () => {
    const [h0, h1] = ripsPersistence(circle);
    expect(h0.pairs).toHaveLength(24);
    expect(h1.pairs).toHaveLength(1);
    expect(ripsPersistence(circle, { maxDim: 0 })).toHaveLength(1);
  });

  it('gives the same diagrams for points, a PointMatrix and their distance matrix', () => {
    const matrix: PointMatrix = { rows: 24, cols: 2, data: Float64Array.from(circle.flat()) };
    const expected = ripsPersistence(circle);
    expect(ripsPersistence(matrix)).toEqual(expected);
    expect(ripsPersistence(pairwiseDistances(circle))).toEqual(expected);
  });

  it('with a threshold below the circle radius keeps the loop and the components open', () => {
    const side = 2 * Math.sin(Math.PI / 24);
    const [h0, h1] = ripsPersistence(circle, { threshold: side * 1.01 });
    expect(h0.pairs.filter((p) => p[1] === Infinity)).toHaveLength(1);
    expect(h1.pairs).toEqual([[expect.closeTo(side, 12), Infinity]]);
    expect(ripsPersistence(circle, { threshold: side * 0.99 })[0].pairs.filter((p) => p[1] === Infinity)).toHaveLength(
      24,
    );
  });

  it('rejects bad options and ragged points', () => {
    expect(() => ripsPersistence(circle, { maxDim: 2 })).toThrow(/maxDim must be 0 or 1/);
    expect(() => ripsPersistence([[0, 1], [2]])).toThrow(/row 1 has 1 coordinates, expected 2/);
  });
});

/** Textbook persistence: every simplex up to dimension 2 in one sorted list, boundary matrix reduced over Z/2. */
function naiveRips(points: number[][]): { h0: PersistencePair[]; h1: PersistencePair[] } {
  const n = points.length;
  const dist = (i: number, j: number): number =>
    Math.sqrt(points[i].reduce((s, x, c) => s + (x - points[j][c]) ** 2, 0));
  const simplices: { v: number[]; value: number }[] = [];
  for (let i = 0; i < n; i++) simplices.push({ v: [i], value: 0 });
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) simplices.push({ v: [i, j], value: dist(i, j) });
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      for (let k = j + 1; k < n; k++)
        simplices.push({ v: [i, j, k], value: Math.max(dist(i, j), dist(i, k), dist(j, k)) });
  simplices.sort((s, t) => s.value - t.value || s.v.length - t.v.length);
  const position = new Map(simplices.map((s, i) => [s.v.join(','), i]));
  const columns = simplices.map((s) =>
    s.v.length === 1
      ? []
      : s.v.map((_, drop) => position.get(s.v.filter((_, i) => i !== drop).join(','))!).sort((x, y) => x - y),
  );
  const lowOwner = new Map<number, number>();
  const h0: PersistencePair[] = [];
  const h1: PersistencePair[] = [];
  const paired = new Set<number>();
  columns.forEach((col, j) => {
    while (col.length > 0 && lowOwner.has(col[col.length - 1])) {
      const other = columns[lowOwner.get(col[col.length - 1])!];
      const sum = new Set(col);
      for (const x of other) if (!sum.delete(x)) sum.add(x);
      col.splice(0, col.length, ...[...sum].sort((x, y) => x - y));
    }
    if (col.length > 0) {
      const low = col[col.length - 1];
      lowOwner.set(low, j);
      paired.add(low).add(j);
      const birth = simplices[low].value;
      const death = simplices[j].value;
      if (death > birth) (simplices[low].v.length === 1 ? h0 : h1).push([birth, death]);
    }
  });
  simplices.forEach((s, i) => {
    // Unpaired edges would be essential H1 classes (none in the full complex, and ours must have none either).
    if (!paired.has(i) && s.v.length < 3) (s.v.length === 1 ? h0 : h1).push([s.value, Infinity]);
  });
  return { h0, h1 };
}

describe('ripsPersistence against a textbook boundary-matrix reduction', () => {
  it('agrees on 25 random clouds with ties and duplicates (6 to 45 points)', () => {
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let total = 0;
    for (let t = 0; t < 25; t++) {
      const n = 6 + Math.floor(random() * 40);
      const dim = 2 + Math.floor(random() * 4);
      const points = Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.round(random() * 6) / 2));
      const [h0, h1] = ripsPersistence(points);
      const naive = naiveRips(points);
      expectSameDiagram(h0.pairs, naive.h0, `cloud ${t} H0`);
      expectSameDiagram(h1.pairs, naive.h1, `cloud ${t} H1`);
      total += h1.pairs.length;
    }
    expect(total).toBeGreaterThan(25);
  });
});
