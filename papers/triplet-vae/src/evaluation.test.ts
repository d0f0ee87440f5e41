// kNN accuracy against a brute-force computation; scikit-learn's tie rule for the vote.
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@research/common';
import { accuracyOf, knnAccuracy, majorityVote } from './evaluation';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('majorityVote takes the most frequent label, the smallest one on ties', () => {
  expect(majorityVote([3, 1, 3, 2, 1])).toBe(1);
  expect(majorityVote([4, 4, 2])).toBe(4);
  expect(majorityVote([7])).toBe(7);
});

it('knnAccuracy equals a brute-force kNN classifier (chunks smaller than the query set)', () => {
  const rng = createRng(4);
  const dim = 3;
  const make = (n: number) => ({
    embeddings: Float32Array.from({ length: n * dim }, () => rng.normal()),
    labels: Int32Array.from({ length: n }, () => rng.int(3)),
    dim,
  });
  const index = make(40);
  const query = make(25);
  const k = 5;
  let hits = 0;
  for (let q = 0; q < 25; q++) {
    const d = Array.from({ length: 40 }, (_, i) => {
      let s = 0;
      for (let c = 0; c < dim; c++) s += (query.embeddings[q * dim + c] - index.embeddings[i * dim + c]) ** 2;
      return [s, i];
    }).sort((a, b) => a[0] - b[0]);
    if (majorityVote(d.slice(0, k).map(([, i]) => index.labels[i])) === query.labels[q]) hits++;
  }
  expect(knnAccuracy(index, query, k, 7)).toBeCloseTo(hits / 25, 10);
  expect(() => knnAccuracy(index, query, 41)).toThrow('k must be an integer in [1, 40]');
});

it('accuracyOf counts equal entries', () => {
  expect(accuracyOf([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
});
