// Output shapes of both modes, L2-normalised embeddings, z = mu at inference, sampled z in training.
import * as tf from '@tensorflow/tfjs';
import { seedEverything, unseedEverything } from '@research/common';
import { ImageTransformer, l2Normalize, MultiTaskImageTransformer } from './model';

beforeAll(async () => {
  await tf.setBackend('cpu');
  seedEverything(0);
});
afterAll(() => unseedEverything());

const base = { numClasses: 10, patchSize: 7, dim: 16, depth: 1, heads: 2, mlpDim: 32, embeddingDim: 8 };

function rowNorms(t: tf.Tensor2D): number[] {
  return Array.from(tf.norm(t, 'euclidean', 1).dataSync());
}

describe('MultiTaskImageTransformer', () => {
  it.each([[[28, 28, 1] as [number, number, number]], [[32, 32, 3] as [number, number, number]]])(
    'gives embedding, logits, mu, logvar and a reconstruction of the input shape for %j',
    (inputShape) => {
      const model = new MultiTaskImageTransformer({
        ...base,
        patchSize: inputShape[0] === 28 ? 7 : 4,
        inputShape,
        latentDim: 6,
        decoderChannels: 8,
      });
      const x = tf.randomUniform([3, ...inputShape]) as tf.Tensor4D;
      const out = model.forward(x, false);
      expect(out.embedding.shape).toEqual([3, 8]);
      expect(out.logits.shape).toEqual([3, 10]);
      expect(out.mu?.shape).toEqual([3, 6]);
      expect(out.logvar?.shape).toEqual([3, 6]);
      expect(out.reconstruction?.shape).toEqual([3, ...inputShape]);
      const rec = out.reconstruction?.dataSync() as Float32Array;
      expect(Math.min(...rec)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...rec)).toBeLessThanOrEqual(1);
      rowNorms(out.embedding).forEach((n) => expect(n).toBeCloseTo(1, 5));
      expect(Object.keys(model.models).sort()).toEqual(['classifier', 'decoder', 'embedding_head', 'encoder']);
    },
  );

  it('uses z = mu at inference (deterministic) and samples z in training', () => {
    const model = new MultiTaskImageTransformer({ ...base, inputShape: [28, 28, 1], latentDim: 4, decoderChannels: 4 });
    const x = tf.randomUniform([2, 28, 28, 1]) as tf.Tensor4D;
    const a = model.forward(x, false).logits.dataSync();
    expect(Array.from(model.forward(x, false).logits.dataSync())).toEqual(Array.from(a));
    expect(Array.from(model.forward(x, true).logits.dataSync())).not.toEqual(Array.from(a));
  });

  it('refuses a patch size that does not divide the image', () => {
    expect(
      () =>
        new MultiTaskImageTransformer({
          ...base,
          patchSize: 5,
          inputShape: [28, 28, 1],
          latentDim: 4,
          decoderChannels: 4,
        }),
    ).toThrow('model.patch_size 5 must divide the image size 28x28');
  });
});

describe('ImageTransformer (simple mode)', () => {
  it('gives only the embedding and the logits', () => {
    const model = new ImageTransformer({ ...base, inputShape: [28, 28, 1] });
    const out = model.forward(tf.randomUniform([5, 28, 28, 1]) as tf.Tensor4D, true);
    expect(out.embedding.shape).toEqual([5, 8]);
    expect(out.logits.shape).toEqual([5, 10]);
    expect(out.mu).toBeUndefined();
    expect(out.reconstruction).toBeUndefined();
    rowNorms(out.embedding).forEach((n) => expect(n).toBeCloseTo(1, 5));
    expect(Object.keys(model.models).sort()).toEqual(['classifier', 'embedding_head', 'encoder']);
  });
});

it('l2Normalize divides each row by its norm', () => {
  expect(
    Array.from(
      l2Normalize(
        tf.tensor2d([
          [3, 4],
          [0, 2],
        ]),
      ).dataSync(),
    ),
  ).toEqual([0.6, 0.8, 0, 1].map(Math.fround));
});
