import golden from '../testdata/tsne_golden.json';
import { squaredDistances, toDenseMatrix } from './matrix';
import { conditionalProbabilities, jointProbabilities } from './perplexity';

const x = toDenseMatrix(golden.X, 'golden');
const sq = squaredDistances(x);

describe('perplexity calibration', () => {
  it.each([5, 20])('gives every row of p(j|i) the entropy log(%p)', (perplexity) => {
    const { p } = conditionalProbabilities(sq, x.n, perplexity);
    for (let i = 0; i < x.n; i++) {
      let entropy = 0;
      let sum = 0;
      for (let j = 0; j < x.n; j++) {
        const v = p[i * x.n + j];
        sum += v;
        if (v > 0) entropy -= v * Math.log(v);
      }
      expect(p[i * x.n + i]).toBe(0);
      expect(sum).toBeCloseTo(1, 12);
      expect(Math.abs(entropy - Math.log(perplexity))).toBeLessThanOrEqual(1e-5);
    }
  });

  it.each(['5', '20'])("equals sklearn's _joint_probabilities at perplexity %s", (perplexity) => {
    const expected = (golden.joint_probabilities as Record<string, number[]>)[perplexity];
    const p = jointProbabilities(sq, x.n, Number(perplexity));
    expect(p.length).toBe(expected.length);
    for (let k = 0; k < p.length; k++)
      expect(Math.abs(p[k] - expected[k])).toBeLessThanOrEqual(1e-9 * expected[k] + 1e-300);
    // Over all i ≠ j the joint probabilities sum to 1; the condensed half to 1/2.
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 12);
  });

  it('gives wider rows (smaller β) to points in sparser clusters', () => {
    const { beta } = conditionalProbabilities(sq, x.n, 5);
    const mean = (from: number) => beta.slice(from, from + 20).reduce((a, b) => a + b, 0) / 20;
    // The three clusters have spreads 0.5, 1 and 2: β ∝ 1/σ².
    expect(mean(0)).toBeGreaterThan(2 * mean(20));
    expect(mean(20)).toBeGreaterThan(2 * mean(40));
  });
});
