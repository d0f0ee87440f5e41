import { createRng, mixSeeds } from './rng';

describe('createRng', () => {
  it('is xoshiro128**: the reference outputs for state [1, 2, 3, 4]', () => {
    const rng = createRng(0);
    rng.setState([1, 2, 3, 4]);
    expect([rng.next(), rng.next(), rng.next()].map((u) => u * 2 ** 32)).toEqual([11520, 0, 5927040]);
  });

  it('repeats the same stream for the same seed, and a different one for another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(sa);
  });

  it('resumes exactly from a saved state', () => {
    const rng = createRng(7);
    for (let i = 0; i < 10; i++) rng.next();
    const state = rng.getState();
    const expected = [rng.next(), rng.int(100), rng.normal()];
    const resumed = createRng(999);
    resumed.setState(state);
    expect([resumed.next(), resumed.int(100), resumed.normal()]).toEqual(expected);
    expect(() => resumed.setState([1, 2, 3])).toThrow(/4 unsigned 32-bit integers/);
  });

  it('has the right moments: uniform mean 1/2, normal mean 0 and variance 1, int covers [0, n)', () => {
    const rng = createRng(1);
    const n = 100000; // bounds below are about 4 standard errors
    let sum = 0;
    let sumN = 0;
    let sumN2 = 0;
    const counts = new Array(5).fill(0);
    for (let i = 0; i < n; i++) {
      sum += rng.next();
      const z = rng.normal();
      sumN += z;
      sumN2 += z * z;
      counts[rng.int(5)]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(sumN / n)).toBeLessThan(0.015);
    expect(Math.abs(sumN2 / n - 1)).toBeLessThan(0.02);
    for (const c of counts) expect(Math.abs(c - n / 5)).toBeLessThan(600);
  });

  it('permutes: every index exactly once', () => {
    const p = createRng(3).permutation(100);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('mixes seeds so that neighbouring (seed, epoch) pairs differ', () => {
    const seen = new Set<number>();
    for (let s = 0; s < 10; s++) for (let e = 0; e < 10; e++) seen.add(mixSeeds(s, e));
    expect(seen.size).toBe(100);
    expect(mixSeeds(1, 2)).toBe(mixSeeds(1, 2));
    expect(mixSeeds(1, 2)).not.toBe(mixSeeds(2, 1));
  });
});
