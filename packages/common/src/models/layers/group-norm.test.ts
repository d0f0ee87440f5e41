import * as tf from '@tensorflow/tfjs';
import golden from './golden/group_norm.json';
import { GroupNorm } from './group-norm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('GroupNorm', () => {
  it.each(golden.cases)('equals torch.nn.GroupNorm in value and gradients: input $shape, $groups groups', (c) => {
    const layer = new GroupNorm({ groups: c.groups, epsilon: c.eps });
    const x = tf.tensor(c.x, c.shape);
    layer.apply(x); // builds
    layer.setWeights([tf.tensor1d(c.gamma), tf.tensor1d(c.beta)]);
    const w = tf.tensor(c.w, c.shape);
    const y = layer.apply(x) as tf.Tensor;
    expect(maxDiff(y.dataSync(), c.y)).toBeLessThan(2e-5);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).mul(w).sum() as tf.Scalar, vars);
    expect(maxDiff(grads[vars[0].name].dataSync(), c.dgamma)).toBeLessThan(1e-4);
    expect(maxDiff(grads[vars[1].name].dataSync(), c.dbeta)).toBeLessThan(1e-4);
    const dx = tf.grad((input: tf.Tensor) => (layer.apply(input) as tf.Tensor).mul(w).sum())(x);
    expect(maxDiff(dx.dataSync(), c.dx)).toBeLessThan(1e-4);
    tf.dispose([x, w, y, grads, dx]);
  });

  it('refuses channels that do not divide into the groups, naming the layer', () => {
    const layer = new GroupNorm({ groups: 4, name: 'gn_bad' });
    expect(() => layer.apply(tf.zeros([1, 2, 2, 6]))).toThrow(
      /GroupNorm 'gn_bad': 6 channels .* not divisible into 4 groups/,
    );
    expect(() => new GroupNorm({ groups: 0 })).toThrow(/groups must be a positive integer, got 0/);
  });

  it('round-trips through a saved model config', () => {
    const model = tf.sequential({ layers: [new GroupNorm({ groups: 2, inputShape: [4] } as never)] });
    const json = model.toJSON(null, false) as unknown as {
      config: { layers: { class_name: string; config: { groups: number } }[] };
    };
    const layer = json.config.layers.find((l) => l.class_name === 'GroupNorm');
    expect(layer?.config.groups).toBe(2);
  });
});
