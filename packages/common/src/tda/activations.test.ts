import * as tf from '@tensorflow/tfjs';
import { activationDiagrams } from './activations';
import { ripsPersistence } from './rips';
import { sampleDistinctIndices } from './rng';

const rows = Array.from({ length: 60 }, (_, i) => [
  Math.cos(i / 3) * 10 + i * 0.01,
  Math.sin(i / 3) * 0.5,
  (i % 7) * 0.1,
]);

describe('activationDiagrams', () => {
  it('without sampling or scaling equals ripsPersistence of the rows', () => {
    expect(activationDiagrams(rows)).toEqual(ripsPersistence(rows));
  });

  it('takes the seeded subsample of rows (same seed, same diagrams; other seed, other rows)', () => {
    const picked = sampleDistinctIndices(60, 25, 42);
    expect(activationDiagrams(rows, { samples: 25, seed: 42 })).toEqual(
      ripsPersistence(Array.from(picked, (r) => rows[r])),
    );
    expect(Array.from(sampleDistinctIndices(60, 25, 43))).not.toEqual(Array.from(picked));
  });

  it('standardises features over the sampled rows', () => {
    const mean = [0, 1, 2].map((c) => rows.reduce((s, r) => s + r[c], 0) / rows.length);
    const std = [0, 1, 2].map((c) => Math.sqrt(rows.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / rows.length));
    const scaled = rows.map((r) => r.map((v, c) => (v - mean[c]) / std[c]));
    const [h0, h1] = activationDiagrams(rows, { standardize: true });
    const [e0, e1] = ripsPersistence(scaled);
    expect(h0.pairs.length).toBe(e0.pairs.length);
    h0.pairs.forEach((p, i) => expect(p[1]).toBeCloseTo(e0.pairs[i][1], 10));
    h1.pairs.forEach((p, i) => expect(p[0]).toBeCloseTo(e1.pairs[i][0], 10));
  });

  it('uses the cosine distance: scaling a row does not move it', () => {
    const scaledRows = rows.map((r, i) => r.map((v) => v * (1 + (i % 5))));
    expect(activationDiagrams(scaledRows, { metric: 'cosine', maxDim: 0 })[0].pairs.map((p) => p[1])).toEqual(
      activationDiagrams(rows, { metric: 'cosine', maxDim: 0 })[0].pairs.map((p) => expect.closeTo(p[1], 12)),
    );
  });

  it('reads a tensor (flattening trailing axes) without disposing it', () => {
    const t = tf.tensor3d(rows.map((r) => [r]));
    const diagrams = activationDiagrams(t, { samples: 30, seed: 1 });
    expect(t.isDisposed).toBe(false);
    const f32 = rows.map((r) => Array.from(Float32Array.from(r)));
    const picked = sampleDistinctIndices(60, 30, 1);
    expect(diagrams).toEqual(ripsPersistence(Array.from(picked, (i) => f32[i])));
    t.dispose();
    const vector = tf.tensor1d([1, 2]);
    expect(() => activationDiagrams(vector)).toThrow(/rank >= 2/);
    vector.dispose();
    const ints = tf.tensor2d(
      [
        [0, 0],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    expect(activationDiagrams(ints, { maxDim: 0 })).toEqual([
      {
        dim: 0,
        pairs: [
          [0, 5],
          [0, Infinity],
        ],
      },
    ]);
    ints.dispose();
  });
});
