import { categoricalDistribution, floatDistribution } from './distributions';
import { paramImportancesOf } from './fanova';
import { golden } from './test-support/golden';
import type { FrozenTrial } from './types';

function trialsOf(points: Array<Record<string, number | string>>, values: number[]): FrozenTrial[] {
  const distributions = {
    x0: floatDistribution(0, 1),
    x1: floatDistribution(0, 1),
    x2: floatDistribution(0, 1),
    c: categoricalDistribution(['a', 'b', 'c']),
  };
  return points.map((p, i) => ({
    trialId: i + 1,
    number: i,
    state: 'COMPLETE',
    values: [values[i]],
    datetimeStart: null,
    datetimeComplete: null,
    params: p,
    distributions: Object.fromEntries(Object.keys(p).map((k) => [k, distributions[k as keyof typeof distributions]])),
    userAttrs: {},
    systemAttrs: {},
    intermediateValues: new Map(),
  }));
}

describe('fANOVA importances', () => {
  it("f = 10 x0 + x1, x2 irrelevant: ranking and shares near the analytic 0.990 / 0.010 / 0 and Optuna's", () => {
    const g = golden.fanova.linear;
    const ours = paramImportancesOf(trialsOf(g.points, g.values), { seed: 0 });
    expect(Object.keys(ours)).toEqual(['x0', 'x1', 'x2']);
    expect(Object.values(ours).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // measured: ours 0.9968 / 0.0031 / 0.00009, Optuna 3.1 0.9970 / 0.0029 / 0.00009 (forests differ in randomness)
    expect(Math.abs(ours.x0 - g.importances.x0)).toBeLessThan(0.005);
    expect(Math.abs(ours.x1 - g.importances.x1)).toBeLessThan(0.002);
    expect(ours.x0).toBeGreaterThan(0.97);
    expect(ours.x1).toBeGreaterThan(ours.x2);
    expect(ours.x1).toBeLessThan(0.03);
    expect(ours.x2).toBeLessThan(0.005);
  });

  it('a categorical parameter is one-hot encoded and scored as one group (analytic: x0 0.80, c 0.19)', () => {
    const g = golden.fanova.with_categorical;
    const ours = paramImportancesOf(trialsOf(g.points, g.values), { seed: 0 });
    expect(Object.keys(ours)).toEqual(Object.keys(g.importances));
    // measured: ours x0 0.786, c 0.213; Optuna 3.1 x0 0.785, c 0.214
    expect(Math.abs(ours.x0 - g.importances.x0)).toBeLessThan(0.01);
    expect(Math.abs(ours.c - g.importances.c)).toBeLessThan(0.01);
    expect(ours.x2).toBeLessThan(0.005);
  });

  it('is reproducible for a seed', () => {
    const g = golden.fanova.linear;
    const a = paramImportancesOf(trialsOf(g.points, g.values), { seed: 3, nTrees: 8 });
    const b = paramImportancesOf(trialsOf(g.points, g.values), { seed: 3, nTrees: 8 });
    expect(a).toEqual(b);
  });
});
