// Output shapes of both modes, L2-normalised embeddings, z = mu at inference, sampled z in training; the registry's
// classifier paths.
import * as tf from '@tensorflow/tfjs';
import { createModel, describeModel } from './registry';
import {
  countTripletVaeParameters,
  ImageTransformer,
  l2Normalize,
  MultiTaskImageTransformer,
  tripletVaeClassifier,
} from './triplet-vae';
import './index';

// Unseeded: every assertion holds for any weights (models may not import training's seedEverything).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base = { numClasses: 10, patchSize: 7, dim: 16, depth: 1, heads: 2, mlpDim: 32, embeddingDim: 8 };
/** The paper's configs/model defaults. */
const defaults = {
  inputShape: [28, 28, 1] as [number, number, number],
  numClasses: 10,
  patchSize: 7,
  dim: 64,
  depth: 4,
  heads: 4,
  mlpDim: 128,
  embeddingDim: 64,
};

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

describe('the classifier path (registry: triplet_vae_vit, triplet_vae_vit_multitask)', () => {
  it('computes forward(x, false).logits as one graph (multitask: z = mu)', () => {
    const model = new MultiTaskImageTransformer({ ...base, inputShape: [28, 28, 1], latentDim: 4, decoderChannels: 4 });
    const x = tf.randomUniform([3, 28, 28, 1]) as tf.Tensor4D;
    const graph = tripletVaeClassifier(model);
    const diff = tf.tidy(
      () =>
        tf
          .sub(graph.predict(x) as tf.Tensor, model.forward(x, false).logits)
          .abs()
          .max()
          .dataSync()[0],
    );
    expect(diff).toBeLessThan(1e-6);
  });

  it.each([
    ['triplet_vae_vit', () => new ImageTransformer({ ...defaults })],
    [
      'triplet_vae_vit_multitask',
      () => new MultiTaskImageTransformer({ ...defaults, latentDim: 32, decoderChannels: 32 }),
    ],
  ])('%s has the paper defaults: encoder + classifier of the full model', (name, build) => {
    const graph = createModel(name);
    expect(graph.inputs[0].shape).toEqual([null, 28, 28, 1]);
    expect(graph.outputs[0].shape).toEqual([null, 10]);
    const full = build();
    const unused = Object.entries(full.models)
      .filter(([part]) => part !== 'encoder' && part !== 'classifier')
      .reduce((sum, [, m]) => sum + m.countParams(), 0);
    expect(graph.countParams()).toBe(countTripletVaeParameters(full) - unused);
    expect(describeModel(name)).toContain('papers/triplet-vae');
    Object.values(full.models).forEach((m) => m.dispose());
    graph.dispose();
  });

  it('takes its options from the registry options and names a bad one', () => {
    const graph = createModel('triplet_vae_vit', { inputShape: [32, 32, 3], numClasses: 4, patchSize: 4, dim: 8 });
    expect(graph.outputs[0].shape).toEqual([null, 4]);
    graph.dispose();
    expect(() => createModel('triplet_vae_vit', { depth: 0 })).toThrow(
      'triplet_vae_vit: depth must be a positive integer, got 0',
    );
    expect(() => createModel('triplet_vae_vit_multitask', { inputShape: [28, 28] })).toThrow(
      'triplet_vae_vit_multitask: inputShape must be [height, width, channels], got [28,28]',
    );
  });
});
