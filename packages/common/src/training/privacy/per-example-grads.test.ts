import * as tf from '@tensorflow/tfjs';
import { GroupNorm } from '../../models/layers/group-norm';
import { crossEntropy } from '../losses';
import { type TrainModule, classificationModule, moduleParameters } from '../module';
import { perExampleGradients } from './per-example-grads';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ctx = { epoch: 0, batchIndex: 0, globalStep: 0, stage: 'train' as const };

/** conv(same, stride 2, relu) -> GroupNorm -> conv([3, 2], stride 2, valid, no bias) -> conv(same) -> maxpool -> dense(relu) -> dense. */
function smallCnn(): tf.LayersModel {
  const input = tf.input({ shape: [9, 10, 2] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c1' })
    .apply(input);
  x = new GroupNorm({ groups: 2, name: 'gn' }).apply(x);
  x = tf.layers.conv2d({ filters: 6, kernelSize: [3, 2], strides: 2, useBias: false, name: 'c2' }).apply(x);
  x = tf.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'same', name: 'c3' }).apply(x);
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }).apply(x);
  x = tf.layers.flatten().apply(x);
  x = tf.layers.dense({ units: 5, activation: 'relu', name: 'd1' }).apply(x);
  const out = tf.layers.dense({ units: 3, name: 'd2' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** A Dense over a sequence [B, T, F], used twice (shared weights), then a classifier. */
function sharedSequenceModel(): tf.LayersModel {
  const input = tf.input({ shape: [4, 3] });
  const shared = tf.layers.dense({ units: 3, activation: 'tanh', name: 'shared' });
  let x = shared.apply(shared.apply(input));
  x = tf.layers.flatten().apply(x);
  const out = tf.layers.dense({ units: 2, name: 'head' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Gradients of each example alone (batch of 1, ordinary backward pass), stacked: by parameter name. */
function loopGradients(module: TrainModule, batch: Record<string, tf.Tensor>, n: number): Record<string, tf.Tensor> {
  const params = moduleParameters(module);
  const per: Record<string, tf.Tensor[]> = {};
  for (let i = 0; i < n; i++) {
    const one = Object.fromEntries(Object.entries(batch).map(([k, t]) => [k, t.slice(i, 1)]));
    const { value, grads } = tf.variableGrads(
      () => module.trainingStep(one, ctx).loss,
      params.trainable.map((p) => p.variable),
    );
    for (const p of params.trainable) (per[p.name] ??= []).push(grads[p.variable.name]);
    tf.dispose([value, one]);
  }
  const stacked = Object.fromEntries(Object.entries(per).map(([k, list]) => [k, tf.stack(list)]));
  tf.dispose(Object.values(per));
  return stacked;
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

describe('per-example gradients', () => {
  it.each([
    ['a CNN with Conv2D (strided same / strided valid, no bias / same), GroupNorm and Dense', smallCnn, [9, 10, 2], 3],
    ['a shared Dense over a sequence', sharedSequenceModel, [4, 3], 2],
  ] as const)('equal the loop of batch-1 gradients for %s', (_name, build, shape, classes) => {
    const model = build();
    const module = classificationModule(model);
    const params = moduleParameters(module);
    const n = 6;
    const batch = {
      x: tf.randomNormal([n, ...shape], 0, 1, 'float32', 7),
      y: tf.tensor1d(
        [0, 1, 2, 1, 0, 2].map((c) => c % classes),
        'int32',
      ),
    };
    const before = tf.memory().numTensors;
    const step = perExampleGradients(module, params, batch, ctx);
    const held = tf.memory().numTensors;
    for (const g of Object.values(step.grads)) g.dispose();
    expect(tf.memory().numTensors).toBe(before); // the step leaves nothing behind but its gradients
    expect(held).toBeGreaterThan(before);
    Object.assign(step, perExampleGradients(module, params, batch, ctx));
    const want = loopGradients(module, batch, n);
    expect(Object.keys(step.grads).sort()).toEqual(params.trainable.map((p) => p.name).sort());
    const wantLoss = tf.tidy(() => crossEntropy(model.apply(batch.x) as tf.Tensor, batch.y).dataSync()[0]);
    expect(step.loss).toBeCloseTo(wantLoss, 5);
    const ones = tf.ones([n]) as tf.Tensor1D;
    for (const p of params.trainable) {
      const g = step.grads[p.name];
      const all = g.materialize();
      expect(all.shape).toEqual([n, ...p.variable.shape]);
      expect(maxDiff(all, want[p.name])).toBeLessThan(1e-5);
      const norms = g.sqNorms();
      const wantNorms = tf.tidy(() => want[p.name].reshape([n, -1]).square().sum(1));
      const largest = tf.tidy(() => wantNorms.max().dataSync()[0]);
      expect(maxDiff(norms, wantNorms)).toBeLessThan(1e-5 * Math.max(1, largest));
      const sum = g.weightedSum(ones);
      const wantSum = want[p.name].sum(0);
      expect(maxDiff(sum, wantSum)).toBeLessThan(1e-5);
      tf.dispose([all, norms, wantNorms, sum, wantSum]);
      g.dispose();
    }
    tf.dispose([ones, want, batch]);
  });

  it('names the layer it has no rule for, and refuses what it cannot tap', () => {
    const depthwise = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({ kernelSize: 3, inputShape: [5, 5, 1], name: 'dw' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const batch = { x: tf.zeros([2, 5, 5, 1]), y: tf.tensor1d([0, 1], 'int32') };
    const m1 = classificationModule(depthwise);
    expect(() => perExampleGradients(m1, moduleParameters(m1), batch, ctx)).toThrow(
      /layer 'dw' \(DepthwiseConv2D\) has trainable weights but no per-example gradient rule/,
    );
    depthwise.layers[0].trainable = false; // frozen: fine
    const step = perExampleGradients(m1, moduleParameters(m1), batch, ctx);
    Object.values(step.grads).forEach((g) => g.dispose());
    const dilated = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 2, kernelSize: 2, dilationRate: 2, inputShape: [5, 5, 1], name: 'dil' }),
        tf.layers.flatten(),
      ],
    });
    const m2 = classificationModule(dilated);
    expect(() => perExampleGradients(m2, moduleParameters(m2), batch, ctx)).toThrow(
      /layer 'dil' \(Conv2D\) has dilationRate \[2,2\]/,
    );
    const free: TrainModule = {
      variables: { w: tf.variable(tf.zeros([2])) },
      trainingStep: () => ({ loss: tf.scalar(0) }),
    };
    expect(() => perExampleGradients(free, moduleParameters(free), batch, ctx)).toThrow(
      /trainable weight 'variables\/w' .* does not belong to a Dense\/Conv2D\/GroupNorm layer/,
    );
    tf.dispose(batch);
  });
});
