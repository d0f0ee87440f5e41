import * as path from 'node:path';
import { RandomSampler } from './samplers/random';
import { CmaEsSampler, CmaState, symmetricEigen } from './samplers/cmaes';
import { createStudy } from './study';
import { tempDir } from './test-support/golden';
import { NumpyRandomState } from './numpy-random';
import type { Trial } from './trial';

const dir = tempDir('cmaes');
let counter = 0;
const url = (): string => `sqlite:///${path.join(dir, `c${counter++}.db`)}`;

/** An ill-conditioned ellipsoid with its optimum off-centre, one parameter on a log scale. */
async function ellipsoid(t: Trial): Promise<number> {
  const x = await t.suggestFloat('x', -5, 5);
  const y = await t.suggestFloat('y', -5, 5);
  const lr = await t.suggestFloat('lr', 1e-4, 1, { log: true });
  return (x - 1.5) ** 2 + 10 * (y + 2) ** 2 + (Math.log10(lr) + 2) ** 2;
}

describe('CMA-ES', () => {
  it('eigendecomposition reconstructs a symmetric matrix', () => {
    const c = [
      [4, 1, 0.5],
      [1, 3, -0.2],
      [0.5, -0.2, 2],
    ];
    const { values, vectors } = symmetricEigen(c);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const r = vectors[i].reduce((acc, vik, k) => acc + vik * values[k] * vectors[j][k], 0);
        expect(r).toBeCloseTo(c[i][j], 12);
      }
    }
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(9, 12);
  });

  it('the optimizer alone converges on a rotated ellipsoid in the unit cube', () => {
    const rng = new NumpyRandomState(0);
    const state = new CmaState(3, 7, [0.5, 0.5, 0.5], 1 / 6);
    const target = [0.2, 0.7, 0.4];
    const f = (x: number[]) =>
      (x[0] - target[0] + x[1] - target[1]) ** 2 + 50 * (x[1] - target[1]) ** 2 + 5 * (x[2] - target[2]) ** 2;
    for (let g = 0; g < 80; g++) {
      const sols = Array.from({ length: 7 }, () => state.sample(rng)).map((x) => ({ x, value: f(x) }));
      state.tell(sols);
    }
    state.mean.forEach((m, i) => expect(Math.abs(m - target[i])).toBeLessThan(1e-3));
  });

  it('through a study (120 trials): beats random search tenfold, reproducibly for a seed', async () => {
    const run = async (sampler: CmaEsSampler | RandomSampler) => {
      const study = await createStudy({ studyName: 'c', storage: url(), sampler });
      await study.optimize(ellipsoid, { nTrials: 120 });
      const trials = await study.getTrials();
      const best = await study.bestValue();
      await study.close();
      return { best, trials };
    };
    const a = await run(new CmaEsSampler({ seed: 3 }));
    const b = await run(new CmaEsSampler({ seed: 3 }));
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    const rnd = await run(new RandomSampler({ seed: 3 }));
    expect(a.best).toBeLessThan(0.05);
    expect(a.best).toBeLessThan(rnd.best / 10); // measured: 0.015 against random's 0.96
    // the first trial is random (no completed trial yet), the rest carry their generation
    expect(a.trials[0].systemAttrs['cma:generation']).toBeUndefined();
    const generations = a.trials.slice(1).map((t) => t.systemAttrs['cma:generation'] as number);
    expect(generations[0]).toBe(0);
    expect(Math.max(...generations)).toBeGreaterThanOrEqual(10); // popsize 7 for 3 parameters
  });

  it('two workers alternating on one study share the generations', async () => {
    const storage = url();
    const a = await createStudy({ studyName: 'w', storage, sampler: new CmaEsSampler({ seed: 1 }) });
    const b = await createStudy({
      studyName: 'w',
      storage,
      loadIfExists: true,
      sampler: new CmaEsSampler({ seed: 1 }),
    });
    for (let i = 0; i < 30; i++) await (i % 2 ? a : b).optimize(ellipsoid, { nTrials: 1 });
    const trials = await a.getTrials();
    const keys = trials.slice(1).map((t) => `${t.systemAttrs['cma:generation']}:${JSON.stringify(t.params)}`);
    expect(new Set(keys).size).toBe(keys.length); // no two trials got the same candidate
    expect(await a.bestValue()).toBeLessThan(2);
    await a.close();
    await b.close();
  });
});
