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
  expect({ label, mismatch: bad < 0 ? null : { index: bad, actual: a[bad], expected: e[bad] } }).toEqual({ label, mismatch: null });
}

describe('ripsPersistence against GUDHI RipsComplex(max_edge_length=inf)', () => {
  for (const c of ripsGolden()) {
    it(c.name, () => {
      const diagrams = c.points ? ripsPersistence(c.points, { maxDim: 1 }) : ripsPersistence({ distanceMatrix: c.distanceMatrix! });
      expect(diagrams.map((d) => d.dim)).toEqual([0, 1]);
      expectSameDiagram(diagrams[0].pairs, c.h0, `${c.name} H0`);
      expectSameDiagram(diagrams[1].pairs, c.h1, `${c.name} H1`);
    });
  }
});

describe('ripsPersistence', () => {
  const circle: number[][] = Array.from({ length: 24 }, (_, i) => [Math.cos((2 * Math.PI * i) / 24), Math.sin((2 * Math.PI * i) / 24)]);

  it('handles 0, 1 and 2 points', () => {
    expect(ripsPersistence([])).toEqual([
      { dim: 0, pairs: [] },
      { dim: 1, pairs: [] },
    ]);
    expect(ripsPersistence([[3, 4]])[0].pairs).toEqual([[0, Infinity]]);
    expect(ripsPersistence([[0, 0], [3, 4]])).toEqual([
      { dim: 0, pairs: [[0, 5], [0, Infinity]] },
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
    expect(ripsPersistence(circle, { threshold: side * 0.99 })[0].pairs.filter((p) => p[1] === Infinity)).toHaveLength(24);
  });

  it('rejects bad options and ragged points', () => {
    expect(() => ripsPersistence(circle, { maxDim: 2 })).toThrow(/maxDim must be 0 or 1/);
    expect(() => ripsPersistence([[0, 1], [2]])).toThrow(/row 1 has 1 coordinates, expected 2/);
  });
});
