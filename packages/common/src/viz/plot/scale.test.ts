import { finiteExtent, formatTicks, linearScale, niceDomain, niceStep, niceTicks } from './scale';

/** A nice number is 1, 2 or 5 times a power of ten. */
function isNice(step: number): boolean {
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-12);
  return [1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9);
}

describe('nice scales', () => {
  it('picks 1-2-5 steps', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(2.3, 5)).toBe(0.5);
    expect(niceStep(37, 5)).toBe(10);
    expect(niceStep(0.0007, 5)).toBeCloseTo(0.0001, 15);
  });

  it('gives exact decimal ticks without float drift', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.1, 0.35)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(niceTicks(-3, 7)).toEqual([-2, 0, 2, 4, 6]);
  });

  it.each([
    [0.123, 9.87],
    [-1234, 56],
    [1e-5, 3e-5],
    [42, 42],
    [0, 0],
    [-7.5, -7.1],
    [1e6, 1e6 + 3],
  ])('domain of [%p, %p] contains the data and its ticks are evenly spaced nice numbers', (min, max) => {
    const [lo, hi] = niceDomain(min, max);
    expect(lo).toBeLessThanOrEqual(min);
    expect(hi).toBeGreaterThanOrEqual(max);
    expect(hi).toBeGreaterThan(lo);
    const ticks = niceTicks(lo, hi);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(11);
    expect(ticks[0]).toBe(lo);
    expect(ticks[ticks.length - 1]).toBe(hi);
    const step = ticks[1] - ticks[0];
    expect(isNice(step)).toBe(true);
    ticks.forEach((t, i) => expect(t).toBeCloseTo(ticks[0] + i * step, 9));
  });

  it('formats ticks with the decimals the step needs', () => {
    expect(formatTicks([0, 0.5, 1, 1.5])).toEqual(['0.0', '0.5', '1.0', '1.5']);
    expect(formatTicks([-20, 0, 20])).toEqual(['-20', '0', '20']);
    expect(formatTicks([0.1, 0.15, 0.2])).toEqual(['0.10', '0.15', '0.20']);
    expect(formatTicks([0, 2e6, 4e6])).toEqual(['0', '2e6', '4e6']);
    expect(formatTicks([-0, 1])).toEqual(['0', '1']);
    expect(formatTicks([1e6, 1e6 + 0.5])).toEqual(['1000000.0', '1000000.5']);
    expect(formatTicks([1e-5, 2e-5])).toEqual(['0.00001', '0.00002']);
    expect(formatTicks([1e-6, 2e-6])).toEqual(['1e-6', '2e-6']);
    expect(formatTicks([0.0005, 0.001])).toEqual(['0.0005', '0.0010']);
  });

  it('maps linearly, reversed ranges included, and skips non-finite values in extents', () => {
    const y = linearScale([0, 10], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(2.5)).toBe(75);
    expect(finiteExtent([3, NaN, -Infinity, 1, 7])).toEqual([1, 7]);
    expect(finiteExtent([NaN])).toEqual([NaN, NaN]);
    expect(niceDomain(NaN, NaN)).toEqual([0, 1]);
  });
});
