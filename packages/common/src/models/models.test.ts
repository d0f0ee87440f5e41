// The reference models against PyTorch's parameter counts, training through model.apply, and save/load round trips.
import * as tf from '@tensorflow/tfjs';
import { createModel } from './index';

// From /usr/bin/python3 ../shared/reference/torch_reference.py throughput (sum of p.numel()).
const TORCH_PARAMS = { 'reference-cnn': 225034, 'vit-tiny': 139018 };

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(Object.entries(TORCH_PARAMS))('%s', (name, torchParams) => {
  it('has exactly the parameter count of the PyTorch reference', () => {
    const model = createModel(name);
    expect(model.countParams()).toBe(torchParams);
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
  });

  it('trains through model.apply(x, {training: true}) inside optimizer.minimize', () => {
    tf.tidy(() => {
      const model = createModel(name);
      const x = tf.randomNormal([8, 28, 28, 1], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
      const optimizer = tf.train.adam(1e-3);
      const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      const { grads } = tf.variableGrads(loss);
      // every weight receives a gradient
      expect(Object.keys(grads).length).toBe(model.trainableWeights.length);
      const first = loss().dataSync()[0];
      for (let i = 0; i < 5; i++) optimizer.minimize(loss);
      expect(loss().dataSync()[0]).toBeLessThan(first);
      optimizer.dispose();
      model.dispose();
    });
  });

  it('round-trips through model.save and tf.loadLayersModel', async () => {
    const model = createModel(name);
    const loaded = await roundTrip(model);
    expect(loaded.countParams()).toBe(torchParams);
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 2);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
