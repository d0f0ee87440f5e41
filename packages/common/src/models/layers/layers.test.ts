// Shared layers against second computations: attention against a per-head loop in float64, layer norm against
// plain ops (values and gradients), the class token and patch embedding against their definitions.
import * as tf from '@tensorflow/tfjs';
import { ClassTokenPosition, LayerNorm, layerNormOp, MultiHeadSelfAttention, PatchEmbedding, TakeToken } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('MultiHeadSelfAttention', () => {
  it('equals softmax(QK^T/sqrt(d)) V per head, computed with plain loops', () => {
    const [b, n, d, h] = [2, 5, 8, 2];
    const dh = d / h;
    const layer = new MultiHeadSelfAttention({ numHeads: h });
    const x = tf.randomNormal([b, n, d], 0, 1, 'float32', 3);
    layer.apply(x); // builds
    // Non-zero biases so they are checked too.
    const [wqkv, bqkv, wo, bo] = layer.getWeights();
    layer.setWeights([
      wqkv,
      tf.randomNormal(bqkv.shape, 0, 0.5, 'float32', 4),
      wo,
      tf.randomNormal(bo.shape, 0, 0.5, 'float32', 5),
    ]);
    const actual = (layer.apply(x) as tf.Tensor).dataSync();

    const [W, B, O, OB] = layer.getWeights().map((w) => Array.from(w.dataSync()));
    const X = Array.from(x.dataSync());
    const expected: number[] = [];
    for (let s = 0; s < b; s++) {
      const proj = (i: number, col: number) => {
        let acc = B[col];
        for (let k = 0; k < d; k++) acc += X[(s * n + i) * d + k] * W[k * 3 * d + col];
        return acc;
      };
      const ctx = Array.from({ length: n }, () => new Array<number>(d).fill(0));
      for (let head = 0; head < h; head++) {
        for (let i = 0; i < n; i++) {
          const scores = Array.from({ length: n }, (_, j) => {
            let dot = 0;
            for (let c = 0; c < dh; c++) dot += proj(i, head * dh + c) * proj(j, d + head * dh + c);
            return dot / Math.sqrt(dh);
          });
          const max = Math.max(...scores);
          const e = scores.map((v) => Math.exp(v - max));
          const z = e.reduce((p, v) => p + v, 0);
          for (let j = 0; j < n; j++)
            for (let c = 0; c < dh; c++) ctx[i][head * dh + c] += (e[j] / z) * proj(j, 2 * d + head * dh + c);
        }
      }
      for (let i = 0; i < n; i++) {
        for (let col = 0; col < d; col++) {
          let acc = OB[col];
          for (let k = 0; k < d; k++) acc += ctx[i][k] * O[k * d + col];
          expected.push(acc);
        }
      }
    }
    expect(maxDiff(actual, expected)).toBeLessThan(1e-4);
    expect(layer.countParams()).toBe(4 * d * d + 4 * d); // PyTorch nn.MultiheadAttention
  });

  it('refuses a dim not divisible by the number of heads', () => {
    expect(() => new MultiHeadSelfAttention({ numHeads: 3 }).apply(tf.input({ shape: [4, 8] }))).toThrow(
      'dim 8 is not divisible by numHeads 3',
    );
  });
});

describe('LayerNorm', () => {
  const plain = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };

  it('values and gradients equal the plain-ops formula', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4, 6], 1, 2, 'float32', 6);
      const g = tf.randomNormal([6], 1, 0.3, 'float32', 7);
      const b = tf.randomNormal([6], 0, 0.3, 'float32', 8);
      const r = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 9);
      expect(maxDiff(layerNormOp(x, g, b, 1e-5).dataSync(), plain(x, g, b).dataSync())).toBeLessThan(1e-5);
      const ours = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        tf.sum(tf.mul(layerNormOp(a, c, d, 1e-5), r)),
      )([x, g, b]);
      const reference = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(plain(a, c, d), r)))([
        x,
        g,
        b,
      ]);
      ours.forEach((t, i) => expect(maxDiff(t.dataSync(), reference[i].dataSync())).toBeLessThan(1e-4));
    });
  });

  it('has PyTorch defaults: gamma 1, beta 0, 2*dim parameters', () => {
    const layer = new LayerNorm();
    const y = layer.apply(tf.tensor3d([[[1, 2, 3, 6]]])) as tf.Tensor;
    expect(layer.countParams()).toBe(8);
    const expected = [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5 + 1e-5));
    expect(maxDiff(y.dataSync(), expected)).toBeLessThan(1e-6);
  });
});

describe('patch embedding, class token, token selection', () => {
  it('PatchEmbedding projects each patch in row-major order', () => {
    const layer = new PatchEmbedding({ patchSize: 2, dim: 3 });
    const x = tf.randomNormal([1, 4, 6, 2], 0, 1, 'float32', 10);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 6, 3]);
    const [kernel, bias] = layer.getWeights();
    // patch (row 1, col 2) is token 1*3+2 = 5
    const patch = tf.slice(x, [0, 2, 4, 0], [1, 2, 2, 2]).reshape([1, 8]);
    const expected = tf.add(tf.matMul(patch, kernel.reshape([8, 3])), bias);
    expect(maxDiff(tf.slice(y, [0, 5, 0], [1, 1, 3]).dataSync(), expected.dataSync())).toBeLessThan(1e-5);
    expect(layer.countParams()).toBe(2 * 2 * 2 * 3 + 3);
  });

  it('ClassTokenPosition prepends the class token and adds positions; TakeToken takes it back', () => {
    const layer = new ClassTokenPosition();
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 11);
    layer.apply(x);
    const cls = tf.tensor3d([[[1, 2, 3, 4]]]);
    const pos = tf.randomNormal([1, 4, 4], 0, 1, 'float32', 12);
    layer.setWeights([cls, pos]);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 4, 4]);
    const expected = tf.add(tf.concat([tf.concat([cls, cls]), x], 1), pos);
    expect(maxDiff(y.dataSync(), expected.dataSync())).toBeLessThan(1e-6);
    const token = new TakeToken({ index: 0 }).apply(y) as tf.Tensor;
    expect(
      maxDiff(
        token.dataSync(),
        tf
          .add(tf.concat([cls, cls]), tf.slice(pos, [0, 0, 0], [1, 1, 4]))
          .reshape([2, 4])
          .dataSync(),
      ),
    ).toBeLessThan(1e-6);
  });
});
