import golden from '../testdata/tsne_golden.json';
import { neighborLabelAgreement, trustworthiness } from './quality';
import { klDivergenceGradient, tsne, type TsneProgress } from './tsne';
import { mulberry32 } from '../../random/rng';

/** A condensed joint distribution over n points (sums to 1/2 over i < j). */
function randomP(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const p = Float64Array.from({ length: (n * (n - 1)) / 2 }, () => random() + 0.01);
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / (2 * sum));
}

describe('KL gradient', () => {
  it.each([2, 3])('matches central finite differences of the KL in %i dimensions', (dims) => {
    const n = 9;
    const p = randomP(n, 1);
    const random = mulberry32(2);
    const y = Float64Array.from({ length: n * dims }, () => 2 * random() - 1);
    const grad = new Float64Array(n * dims);
    klDivergenceGradient(p, y, n, dims, grad, false);
    const scratch = new Float64Array(n * dims);
    const h = 1e-6;
    for (let m = 0; m < n * dims; m++) {
      const plus = Float64Array.from(y);
      const minus = Float64Array.from(y);
      plus[m] += h;
      minus[m] -= h;
      const numeric =
        (klDivergenceGradient(p, plus, n, dims, scratch, true) -
          klDivergenceGradient(p, minus, n, dims, scratch, true)) /
        (2 * h);
      expect(Math.abs(grad[m] - numeric)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('is zero for the KL of Q with itself', () => {
    const y = Float64Array.from([0, 0, 1, 0, 0, 2]);
    // P = Q of this embedding.
    const w = [1 / 2, 1 / 5, 1 / 6]; // 1 / (1 + d²) for the pairs (0,1), (0,2), (1,2)
    const z = 2 * (w[0] + w[1] + w[2]);
    const p = Float64Array.from(w.map((v) => v / z));
    const grad = new Float64Array(6);
    expect(klDivergenceGradient(p, y, 3, 2, grad, true)).toBeCloseTo(0, 14);
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-14);
  });
});

describe('tsne', () => {
  const X = golden.X;
  const reference = golden.tsne_exact;

  it("reaches sklearn's exact t-SNE: KL close to its value, as trustworthy, clusters kept apart", () => {
    const progress: TsneProgress[] = [];
    const result = tsne(X, { perplexity: reference.perplexity, onProgress: (p) => progress.push(p) });
    expect(result.n).toBe(60);
    expect(result.dims).toBe(2);
    expect(result.embedding).toHaveLength(120);
    expect(result.iterations).toBe(1000);
    expect(result.klDivergence).toBeLessThan(1.5 * reference.kl_divergence);
    const emb = { data: result.embedding, rows: 60, cols: 2 };
    expect(trustworthiness(X, emb, 5)).toBeGreaterThanOrEqual(reference.trustworthiness_5 - 0.01);
    expect(neighborLabelAgreement(emb, golden.labels, 5)).toBe(1);

    // Progress every 50 iterations; after exaggeration the KL goes down.
    expect(progress.map((p) => p.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => 50 * (i + 1)));
    expect(progress.filter((p) => p.exaggerated)).toHaveLength(5);
    const kl = progress.filter((p) => !p.exaggerated).map((p) => p.klDivergence);
    expect(kl[kl.length - 1]).toBeLessThan(kl[0]);
    expect(kl[kl.length - 1]).toBe(result.klDivergence);
    for (let i = 1; i < kl.length; i++) expect(kl[i]).toBeLessThanOrEqual(kl[i - 1] * 1.05);
  });

  it('is deterministic for a seed with random initialisation and differs between seeds', () => {
    const a = tsne(X, { perplexity: 10, init: 'random', seed: 3, iterations: 300 });
    const b = tsne(X, { perplexity: 10, init: 'random', seed: 3, iterations: 300 });
    const c = tsne(X, { perplexity: 10, init: 'random', seed: 4, iterations: 300 });
    expect(b.embedding).toEqual(a.embedding);
    expect(c.embedding).not.toEqual(a.embedding);
    expect(neighborLabelAgreement({ data: a.embedding, rows: 60, cols: 2 }, golden.labels)).toBeGreaterThan(0.95);
  });

  it('embeds in 3 dimensions from a flat Float32Array input', () => {
    const flat = Float32Array.from(X.flat());
    const result = tsne({ data: flat, rows: 60, cols: 8 }, { dims: 3, perplexity: 10, iterations: 300 });
    expect(result.embedding).toHaveLength(180);
    expect(neighborLabelAgreement({ data: result.embedding, rows: 60, cols: 3 }, golden.labels)).toBeGreaterThan(0.95);
  });

  it('rejects bad input with the reason', () => {
    expect(() => tsne(X, { perplexity: 60 })).toThrow('tsne: perplexity must be in (0, n) = (0, 60), got 60');
    expect(() => tsne(X, { iterations: 100 })).toThrow('iterations must be an integer >= 250, got 100');
    expect(() => tsne([[1, 2], [3]])).toThrow('tsne: row 1 has 1 values, expected 2 like row 0');
    expect(() =>
      tsne([
        [1, NaN],
        [3, 4],
      ]),
    ).toThrow('tsne: value NaN at row 0, column 1 is not finite');
    expect(() => tsne({ data: new Float32Array(5), rows: 2, cols: 3 })).toThrow(
      'data has 5 values, expected rows*cols = 2*3',
    );
  });
});
