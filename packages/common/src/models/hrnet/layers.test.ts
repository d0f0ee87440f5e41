import * as tf from '@tensorflow/tfjs';
import { batchNorm, conv, convBn, Initialisers } from './layers';

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

const std = (t: tf.Tensor) => tf.moments(t).variance.sqrt().dataSync()[0];

describe('Initialisers (the official init_weights)', () => {
  it('conv kernels are kaiming_normal(fan_out, relu): N(0, 2 / (k*k*out))', () => {
    const kernel = new Initialisers({ init: 'official', seed: 1 }).convKernel(3, 64).apply([3, 3, 64, 64]);
    expect(std(kernel)).toBeCloseTo(Math.sqrt(2 / (9 * 64)), 3);
    // Untruncated, like torch.nn.init.normal_: some values lie beyond 2 standard deviations.
    expect(kernel.abs().max().dataSync()[0]).toBeGreaterThan(2.5 * Math.sqrt(2 / (9 * 64)));
  });

  it('biases and Linear weights are U(-1/sqrt(fan_in), 1/sqrt(fan_in))', () => {
    const w = new Initialisers({ init: 'official', seed: 2 }).fanInUniform(2048).apply([2048, 100]);
    const bound = 1 / Math.sqrt(2048);
    expect(w.max().dataSync()[0]).toBeLessThanOrEqual(bound);
    expect(w.min().dataSync()[0]).toBeGreaterThanOrEqual(-bound);
    expect(w.max().dataSync()[0]).toBeGreaterThan(0.99 * bound);
  });

  it('a seed makes every layer reproducible and distinct from the next', () => {
    const draw = (seed: number) => {
      const inits = new Initialisers({ init: 'official', seed });
      return [0, 1].map(() => Array.from(inits.convKernel(1, 8).apply([1, 1, 4, 8]).dataSync()));
    };
    const [a0, a1] = draw(5);
    expect(draw(5)).toEqual([a0, a1]);
    expect(a1).not.toEqual(a0);
    expect(draw(6)[0]).not.toEqual(a0);
  });

  it("'zeros' fills every weight with 0", () => {
    const inits = new Initialisers({ init: 'zeros' });
    expect(inits.convKernel(3, 4).apply([3, 3, 2, 4]).abs().sum().dataSync()[0]).toBe(0);
    expect(inits.fanInUniform(4).apply([4]).abs().sum().dataSync()[0]).toBe(0);
  });
});

describe('conv and convBn', () => {
  it('wire the initialisers, bias flag and BN settings into the layers', () => {
    const input = tf.input({ shape: [8, 8, 4] });
    const inits = new Initialisers({ init: 'official', seed: 3 });
    const y = convBn(input, 'block', { filters: 16, kernel: 3, stride: 2, bias: true }, inits, true);
    const model = tf.model({ inputs: input, outputs: y });
    expect(model.layers.slice(1).map((l) => [l.name, l.getClassName()])).toEqual([
      ['block.0.pad', 'ZeroPadding2D'],
      ['block.0', 'Conv2D'],
      ['block.1', 'BatchNormalization'],
      ['block.2', 'ReLU'],
    ]);
    expect(y.shape).toEqual([null, 4, 4, 16]);
    const [kernel, bias] = model.getLayer('block.0').getWeights();
    expect(kernel.shape).toEqual([3, 3, 4, 16]);
    expect(bias.abs().max().dataSync()[0]).toBeLessThanOrEqual(1 / Math.sqrt(36));
    expect(bias.abs().max().dataSync()[0]).toBeGreaterThan(0);
    expect(model.getLayer('block.1').getConfig()).toMatchObject({ momentum: 0.9, epsilon: 1e-5 });
    model.dispose();
  });

  it("a stride-1 conv keeps the size with 'same' padding and no bias by default", () => {
    const input = tf.input({ shape: [5, 7, 3] });
    const y = conv(input, 'c', { filters: 2, kernel: 3 }, new Initialisers({ init: 'zeros' }));
    expect(y.shape).toEqual([null, 5, 7, 2]);
    expect(y.sourceLayer.getConfig()).toMatchObject({ useBias: false, padding: 'same', strides: [1, 1] });
  });
});

describe('batchNorm', () => {
  it('updates running statistics as PyTorch momentum 0.1 does: new = 0.9 * old + 0.1 * batch', () => {
    const input = tf.input({ shape: [1, 2, 1] });
    const model = tf.model({ inputs: input, outputs: batchNorm(input, 'bn') });
    // Batch of 2 images with values {1, 3} and {5, 7}: mean 4, biased variance 5.
    const x = tf.tensor4d([1, 3, 5, 7], [2, 1, 2, 1]);
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    const [, , movingMean, movingVar] = model
      .getLayer('bn')
      .getWeights()
      .map((w) => w.dataSync()[0]);
    expect(movingMean).toBeCloseTo(0.1 * 4, 6);
    // tfjs averages the biased batch variance; PyTorch the unbiased one (x n/(n-1), here 4/3): a difference of
    // 1/(n-1) in the running variance, 0.06% for batch 32 at the 7x7 lowest ImageNet resolution.
    expect(movingVar).toBeCloseTo(0.9 * 1 + 0.1 * 5, 6);
    model.dispose();
  });
});
