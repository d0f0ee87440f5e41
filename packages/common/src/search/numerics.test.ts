import {
  categoricalDistribution,
  distributionToJson,
  floatDistribution,
  intDistribution,
  jsonToDistribution,
} from './distributions';
import { libmErf, libmErfc, optunaErf } from './erf';
import { numpyArgsort, NumpyRandomState } from './numpy-random';
import { pythonFloatRepr } from './py-json';
import { defaultGamma, defaultWeights, ParzenEstimator } from './samplers/parzen-estimator';
import { expectClose, golden } from './test-support/golden';
import { logGaussMass, logNdtr, truncnormPpf } from './truncnorm';

describe('numpy RandomState stream', () => {
  it('draws the numbers numpy 1.24 draws for a seed', () => {
    const g = golden.numpy_random;
    const r = new NumpyRandomState(g.seed);
    expect(g.random_sample.map(() => r.randomSample())).toEqual(g.random_sample);
    expect(g.randint_0_10.map(() => r.randint(0, 10))).toEqual(g.randint_0_10);
    expect(g.randint_3_1000.map(() => r.randint(3, 1000))).toEqual(g.randint_3_1000);
    // choice(4, 6, p) draws its six uniforms at once, as six successive random_sample calls
    expect(g.choice_p.map(() => r.choice(4, [0.1, 0.2, 0.3, 0.4]))).toEqual(g.choice_p);
  });
});

describe('numpy argsort', () => {
  it('orders ties exactly as numpy 1.24 quicksort', () => {
    for (const c of golden.argsort) expect(numpyArgsort(c.values)).toEqual(c.argsort);
  });
});

describe('error function and truncated normal (Optuna 3.1 _erf/_truncnorm)', () => {
  it('erf, erfc, log Phi at points across all branches', () => {
    const g = golden.erf;
    g.x.forEach((x: number, i: number) => {
      expectClose(libmErf(x), g.math_erf[i], 1e-15);
      expectClose(libmErfc(x), g.math_erfc[i], 1e-14);
      expectClose(optunaErf(x), g.optuna_erf[i], 1e-15);
      expectClose(logNdtr(x), g.log_ndtr[i], 1e-13);
    });
  });

  it('log Gaussian mass and the truncated quantile', () => {
    const g = golden.truncnorm;
    g.ab.forEach(([a, b]: [number, number], i: number) => {
      expectClose(logGaussMass(a, b), g.log_gauss_mass[i], 1e-12);
      g.ppf_q.forEach((q: number, j: number) => expectClose(truncnormPpf(q, a, b), g.ppf[i][j], 1e-12));
    });
  });
});

describe('TPE gamma and weights', () => {
  it('gamma(n) = min(ceil(0.1 n), 25)', () => {
    for (const [n, v] of Object.entries(golden.gamma)) expect(defaultGamma(Number(n))).toBe(v);
  });
  it('weights ramp from 1/n for n >= 25', () => {
    for (const [n, v] of Object.entries(golden.weights)) {
      const w = defaultWeights(Number(n));
      expect(w.length).toBe((v as number[]).length);
      w.forEach((x, i) => expectClose(x, (v as number[])[i], 1e-15));
    }
  });
});

describe('Parzen estimator mixtures for a fixed history', () => {
  const params = {
    considerPrior: true,
    priorWeight: 1,
    considerMagicClip: true,
    considerEndpoints: false,
    weights: defaultWeights,
    normalizedLogPdf: false,
  };
  for (const [name, g] of Object.entries(golden.parzen) as Array<[string, Record<string, never>]>) {
    it(name, () => {
      const dist = jsonToDistribution(g.distribution_json);
      const pe = new ParzenEstimator(g.observations, dist, params);
      (g.weights as number[]).forEach((w, i) => expectClose(pe.weights[i], w, 1e-14));
      if (g.mus !== null) {
        expect(pe.mus.length).toBe((g.mus as number[]).length);
        (g.mus as number[]).forEach((m, i) => expectClose(pe.mus[i], m, 1e-14));
        (g.sigmas as number[]).forEach((s, i) => expectClose(pe.sigmas[i], s, 1e-14));
      } else {
        (g.categorical_weights as number[][]).forEach((row, i) =>
          row.forEach((p, j) => expectClose(pe.categoricalWeights[i][j], p, 1e-14)),
        );
      }
      const lp = pe.logPdf(g.probe);
      (g.log_pdf_optuna31 as number[]).forEach((v, i) => expectClose(lp[i], v, 1e-10));
      const samples = pe.sample(new NumpyRandomState(7), 6);
      (g.samples_seed7 as number[]).forEach((v, i) => expectClose(samples[i], v, 1e-10));
    });
  }
});

describe('distributions', () => {
  it('distribution_json byte-identical to optuna.distributions.distribution_to_json', () => {
    const ours = [
      floatDistribution(1e-5, 1, { log: true }),
      floatDistribution(0, 1, { step: 0.1 }),
      floatDistribution(0, 1.05, { step: 0.1 }),
      floatDistribution(-3.5, 1e20),
      intDistribution(1, 10, { step: 2 }),
      intDistribution(1, 1024, { log: true }),
      categoricalDistribution(['a', 1, null, 2.5, true, 'é']),
    ].map(distributionToJson);
    expect(ours).toEqual(golden.distribution_json);
    for (const json of golden.distribution_json) expect(distributionToJson(jsonToDistribution(json))).toBe(json);
  });

  it('python float repr', () => {
    expect([1, 0.1, 1e-5, 1.5e-7, 1e16, 123456.789, -2.5, 1e15].map(pythonFloatRepr)).toEqual([
      '1.0',
      '0.1',
      '1e-05',
      '1.5e-07',
      '1e+16',
      '123456.789',
      '-2.5',
      '1000000000000000.0',
    ]);
  });

  it('rejects bad ranges with the value in the message', () => {
    expect(() => floatDistribution(2, 1)).toThrow(/low \(2\) must be <= high \(1\)/);
    expect(() => floatDistribution(0, 1, { log: true })).toThrow(/must be > 0/);
    expect(() => intDistribution(1, 5, { log: true, step: 2 })).toThrow(/step/);
  });
});
