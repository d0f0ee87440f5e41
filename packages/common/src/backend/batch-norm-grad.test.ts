// The replacement FusedBatchNorm gradient against tfjs-core's own, and through tf.layers' batch normalisation.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './init';
import { fusedBatchNormGradConfig, originalBatchNormGradient, registerBatchNormGradient } from './batch-norm-grad';

function seeded(shape: number[], seed: number, offset = 0): tf.Tensor {
  let s = seed >>> 0;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  return tf.tensor(
    Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => next() * 2 - 1 + offset),
    shape,
  );
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor, what: string): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const scale = Math.max(1, ...Array.from(e, Math.abs));
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
  if (worst > 1e-5 * scale) throw new Error(`${what}: max difference ${worst} (scale ${scale})`);
}

beforeAll(async () => {
  await initBackend('cpu', { log: () => undefined, env: {} }); // also registers the gradient
});

describe('FusedBatchNorm gradient', () => {
  it('replaces tfjs-core gradient once and keeps the original', () => {
    const original = originalBatchNormGradient();
    registerBatchNormGradient();
    expect(tf.getGradient('FusedBatchNorm')).toBe(fusedBatchNormGradConfig);
    expect(originalBatchNormGradient()).toBe(original);
    expect(original).not.toBe(fusedBatchNormGradConfig);
  });

  it.each([
    ['rank 4, with scale', [2, 3, 4, 5], true],
    ['rank 4, no scale', [3, 2, 2, 4], false],
    ['rank 2', [6, 3], true],
  ] as Array<[string, number[], boolean]>)('equals tfjs-core gradient for every input (%s)', (_, shape, withScale) => {
    tf.tidy(() => {
      const c = shape[shape.length - 1];
      const x = seeded(shape, 1);
      const dy = seeded(shape, 2);
      const mean = seeded([c], 3);
      const variance = seeded([c], 4, 1.5); // positive
      const scale = withScale ? seeded([c], 5) : null;
      const saved = [x, mean, variance, scale] as tf.Tensor[];
      const attrs = { varianceEpsilon: 1e-3 };
      const ours = fusedBatchNormGradConfig.gradFunc(dy, saved, attrs);
      // tfjs-core's input gradient only works on rank-4 inputs: compare rank 2 as [N, 1, 1, C].
      const as4d = (t: tf.Tensor) => (t.rank === 2 ? t.reshape([t.shape[0], 1, 1, c]) : t);
      const theirs = originalBatchNormGradient()!.gradFunc(
        as4d(dy),
        [as4d(x), mean, variance, scale] as tf.Tensor[],
        attrs,
      );
      for (const input of ['x', 'mean', 'variance', 'scale', 'offset']) {
        if (input === 'scale' && !withScale) continue;
        expectClose(ours[input](), theirs[input]().reshape(ours[input]().shape), input);
      }
    });
  });

  it('batch statistics in training: gradients of x, scale and offset together equal finite differences', () => {
    // Loss sum(r * BN(x)) with the batch's mean and variance (as tf.layers trains), every gradient in one backward
    // pass (the per-channel sums are shared by the mean, variance, scale and offset gradients).
    const shape = [2, 2, 2, 3];
    const r = seeded(shape, 8);
    const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.sum(tf.mul(r, tf.batchNorm(x, mean, variance, beta, gamma, 1e-3)));
    };
    const inputs = [seeded(shape, 7), seeded([3], 9, 1), seeded([3], 10)];
    const grads = tf
      .grads((x, gamma, beta) => loss(x, gamma, beta))(inputs)
      .map((g) => g.dataSync());
    const h = 1e-2;
    inputs.forEach((input, which) => {
      const base = input.dataSync();
      for (let i = 0; i < base.length; i += which === 0 ? 5 : 1) {
        const shifted = (delta: number) => {
          const values = Float32Array.from(base);
          values[i] += delta;
          const args = inputs.map((t, k) => (k === which ? tf.tensor(values, t.shape) : t));
          return loss(args[0], args[1], args[2]).dataSync()[0];
        };
        expect(grads[which][i]).toBeCloseTo((shifted(h) - shifted(-h)) / (2 * h), 2);
      }
    });
  });
});
