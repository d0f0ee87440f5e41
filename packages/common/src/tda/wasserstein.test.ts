import { close, distanceGolden } from './golden/golden';
import type { PersistencePair } from './types';
import { wassersteinDistance } from './wasserstein';

describe('wassersteinDistance against gudhi.wasserstein (internal_p=inf, POT exact EMD)', () => {
  for (const c of distanceGolden()) {
    it(c.name, () => {
      const w1 = wassersteinDistance(c.a, c.b, { order: 1 });
      const w2 = wassersteinDistance(c.a, c.b, { order: 2 });
      expect({ w1, w2, close: close(w1, c.wasserstein1, 1e-9, 1e-9) && close(w2, c.wasserstein2, 1e-9, 1e-9) }).toEqual(
        {
          w1: expect.any(Number),
          w2: expect.any(Number),
          close: true,
        },
      );
      expect(close(wassersteinDistance(c.b, c.a), w1, 1e-12, 1e-12)).toBe(true);
    });
  }
});

describe('wassersteinDistance', () => {
  it('sums diagonal costs and essential birth differences', () => {
    const a: PersistencePair[] = [
      [0, 2],
      [1, 2],
      [0, Infinity],
    ];
    expect(wassersteinDistance(a, [[3, Infinity]])).toBe(1 + 0.5 + 3);
    expect(wassersteinDistance([], [])).toBe(0);
    expect(wassersteinDistance([[0, Infinity]], [[0, 1]])).toBe(Infinity);
  });

  it('prefers moving a point over sending two to the diagonal', () => {
    // (0,4)->(0.5,4.25) costs 0.5 (L-inf); both to the diagonal would cost 2 + 1.875.
    expect(wassersteinDistance([[0, 4]], [[0.5, 4.25]])).toBe(0.5);
  });

  it('rejects a bad order and below-diagonal points', () => {
    expect(() => wassersteinDistance([], [], { order: 0.5 })).toThrow(/order must be a finite number >= 1/);
    expect(() => wassersteinDistance([[3, 1]], [])).toThrow(/first diagram: point 0 \[3, 1\] lies below the diagonal/);
  });
});
