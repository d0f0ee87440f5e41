import { bottleneckDistance } from './bottleneck';
import { close, distanceGolden } from './golden/golden';
import type { PersistencePair } from './types';

describe('bottleneckDistance against GUDHI bottleneck_distance(e=0)', () => {
  for (const c of distanceGolden()) {
    it(c.name, () => {
      const value = bottleneckDistance(c.a, c.b);
      expect({ value, close: close(value, c.bottleneck) }).toEqual({ value: expect.any(Number), close: true });
      expect(bottleneckDistance(c.b, c.a)).toBe(value);
    });
  }
});

describe('bottleneckDistance', () => {
  it('is 0 between empty diagrams and between a diagram and itself', () => {
    expect(bottleneckDistance([], [])).toBe(0);
    const d: PersistencePair[] = [
      [0, 1],
      [0.5, 2],
      [1, Infinity],
    ];
    expect(bottleneckDistance(d, d)).toBe(0);
  });

  it('matches a lone point to the diagonal and essential points by sorted birth', () => {
    expect(bottleneckDistance([[1, 3]], [])).toBe(1);
    expect(
      bottleneckDistance(
        [
          [0, Infinity],
          [5, Infinity],
        ],
        [
          [4, Infinity],
          [1, Infinity],
        ],
      ),
    ).toBe(1);
    expect(bottleneckDistance([[0, Infinity]], [])).toBe(Infinity);
  });

  it('returns an actual edge length, not a bisection midpoint', () => {
    // Optimal: (0,10)-(0.3,10.7) costs 0.7; (2,3) to the diagonal costs 0.5.
    expect(
      bottleneckDistance(
        [
          [0, 10],
          [2, 3],
        ],
        [[0.3, 10.7]],
      ),
    ).toBe(Math.abs(10 - 10.7));
  });

  it('rejects below-diagonal and non-finite points with the offending index', () => {
    expect(() =>
      bottleneckDistance(
        [
          [0, 1],
          [2, 1],
        ],
        [],
      ),
    ).toThrow(/first diagram: point 1 \[2, 1\] lies below the diagonal/);
    expect(() => bottleneckDistance([], [[NaN, 1]])).toThrow(/second diagram: point 0 has a non-finite birth NaN/);
  });
});

/** Brute force with GUDHI's full graph (every point may go to any projection): sort all N^2 edge lengths and test each. */
function bruteForceBottleneck(a: PersistencePair[], b: PersistencePair[]): number {
  const proj = ([x, y]: PersistencePair): PersistencePair => [(x + y) / 2, (x + y) / 2];
  const A = a.filter(([x, y]) => y - x > 0);
  const B = b.filter(([x, y]) => y - x > 0);
  const U = [...A, ...B.map(proj)];
  const V = [...B, ...A.map(proj)];
  const n = U.length;
  const cost = (i: number, j: number): number =>
    i >= A.length && j >= B.length ? 0 : Math.max(Math.abs(U[i][0] - V[j][0]), Math.abs(U[i][1] - V[j][1]));
  const candidates = [0];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) candidates.push(cost(i, j));
  candidates.sort((x, y) => x - y);
  const perfect = (r: number): boolean => {
    const matchV = new Array<number>(n).fill(-1);
    const tryAugment = (i: number, seen: boolean[]): boolean => {
      for (let j = 0; j < n; j++)
        if (!seen[j] && cost(i, j) <= r) {
          seen[j] = true;
          if (matchV[j] < 0 || tryAugment(matchV[j], seen)) {
            matchV[j] = i;
            return true;
          }
        }
      return false;
    };
    for (let i = 0; i < n; i++) if (!tryAugment(i, new Array<boolean>(n).fill(false))) return false;
    return true;
  };
  return candidates.find(perfect) ?? 0;
}

describe('bottleneckDistance against a brute-force matching', () => {
  it('agrees exactly on 300 small random diagrams with ties and diagonal points', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const diagram = (): PersistencePair[] =>
      Array.from({ length: Math.floor(random() * 7) }, () => {
        const b = Math.round(random() * 20) / 10;
        return [b, b + Math.round(random() * 10) / 10];
      });
    for (let t = 0; t < 300; t++) {
      const a = diagram();
      const b = diagram();
      expect({ a, b, value: bottleneckDistance(a, b) }).toEqual({ a, b, value: bruteForceBottleneck(a, b) });
    }
  });
});
