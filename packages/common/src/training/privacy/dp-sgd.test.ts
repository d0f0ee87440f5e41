import * as tf from '@tensorflow/tfjs';
import { GroupNorm } from '../../models/layers/group-norm';
import { syntheticDataset } from '../__fixtures__/synthetic';
import type { EpochRecord } from '../checkpoint';
import { classificationModule, moduleParameters, type TrainModule } from '../module';
import { SGD } from '../optim';
import { MixedPrecision } from '../precision';
import { float32Precision } from '../precision/plugin';
import { seedEverything, unseedEverything } from '../seed';
import { getNoiseMultiplier } from './accountant';
import { DpSgdStrategy, resolveNoiseMultiplier } from './dp-sgd';
import { PrivateBatchSource, imageExamples } from './private-sampler';
import { DEFAULT_RDP_ORDERS, computeRdp, privacySpent } from './rdp';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => unseedEverything());

const ctxAt = (globalStep: number) => ({ epoch: 0, batchIndex: globalStep, globalStep, stage: 'train' as const });

/** conv(2x2, relu) -> [BatchNorm | GroupNorm] -> flatten -> dense(3), for 4x4x1 images. */
function tinyCnn(norm: 'batch' | 'group' | 'none' = 'group'): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    tf.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'relu', inputShape: [4, 4, 1], name: 'conv' }),
  ];
  if (norm === 'batch') layers.push(tf.layers.batchNormalization({ name: 'bn1' }));
  if (norm === 'group') layers.push(new GroupNorm({ groups: 2 }));
  layers.push(tf.layers.flatten(), tf.layers.dense({ units: 3 }));
  return tf.sequential({ layers });
}

function dpOptions(over: Partial<ConstructorParameters<typeof DpSgdStrategy>[0]> = {}) {
  return { noiseMultiplier: 1, maxGradNorm: 1, sampleRate: 0.1, expectedBatchSize: 8, delta: 1e-5, seed: 3, ...over };
}

describe('DpSgdStrategy', () => {
  it('without noise, returns the sum of each example gradient clipped to maxGradNorm over the expected batch size', () => {
    seedEverything(1);
    const model = tinyCnn();
    const module = classificationModule(model);
    const params = moduleParameters(module);
    const n = 5;
    const batch = { x: tf.randomUniform([n, 4, 4, 1], 0, 1, 'float32', 2), y: tf.tensor1d([0, 1, 2, 0, 1], 'int32') };
    // Second computation: each example alone through the ordinary backward pass, clipped and summed here.
    const vars = params.trainable.map((p) => p.variable);
    const perExample = Array.from({ length: n }, (_, i) => {
      const one = { x: batch.x.slice(i, 1), y: batch.y.slice(i, 1) };
      const { value, grads } = tf.variableGrads(() => module.trainingStep(one, ctxAt(0)).loss, vars);
      tf.dispose([value, one]);
      return params.trainable.map((p) => grads[p.variable.name]);
    });
    const norms = perExample.map((gs) =>
      Math.sqrt(gs.reduce((s, g) => s + tf.tidy(() => g.square().sum().dataSync()[0]), 0)),
    );
    const maxGradNorm = [...norms].sort((a, b) => a - b)[2]; // the median: two examples are clipped, two are not
    const dp = new DpSgdStrategy(dpOptions({ noiseMultiplier: 0, maxGradNorm, expectedBatchSize: 4 }));
    const out = dp.computeGradients(module, params, batch, ctxAt(0));
    params.trainable.forEach((p, k) => {
      const want = tf.tidy(() =>
        tf.addN(perExample.map((gs, i) => gs[k].mul(Math.min(1, maxGradNorm / (norms[i] + 1e-6))))).div(4),
      );
      expect(tf.tidy(() => out.grads[p.name].sub(want).abs().max().dataSync()[0])).toBeLessThan(1e-6);
      want.dispose();
    });
    expect(dp.accountant.history).toEqual([{ noiseMultiplier: 0, sampleRate: 0.1, steps: 1 }]);
    tf.dispose([perExample, out.grads, batch]);
  });

  it('adds seeded Gaussian noise of std noiseMultiplier x maxGradNorm / expectedBatchSize; an empty batch is noise only', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 100, inputShape: [100] })] });
    const module = classificationModule(model);
    const params = moduleParameters(module);
    const dp = new DpSgdStrategy(dpOptions({ noiseMultiplier: 1.5, maxGradNorm: 2, expectedBatchSize: 10 }));
    const empty = { x: tf.zeros([0, 100]), y: tf.zeros([0], 'int32') };
    const before = tf.memory().numTensors;
    const a = dp.computeGradients(module, params, empty, ctxAt(7));
    const again = dp.computeGradients(module, params, empty, ctxAt(7));
    const other = dp.computeGradients(module, params, empty, ctxAt(8));
    expect(a.loss).toBe(0);
    const kernel = params.trainable[0].name;
    const { mean, variance } = tf.moments(a.grads[kernel]);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.01);
    expect(Math.sqrt(variance.dataSync()[0])).toBeCloseTo((1.5 * 2) / 10, 2);
    expect(a.grads[kernel].dataSync()).toEqual(again.grads[kernel].dataSync());
    expect(a.grads[kernel].dataSync()).not.toEqual(other.grads[kernel].dataSync());
    tf.dispose([mean, variance, a.grads, again.grads, other.grads]);
    expect(tf.memory().numTensors).toBe(before);
    expect(dp.accountant.steps).toBe(3);
    tf.dispose(empty);
  });

  it('refuses BatchNorm at setup with the fix named, and settings DP-SGD would undo', () => {
    const dp = new DpSgdStrategy(dpOptions());
    const bn = classificationModule(tinyCnn('batch'));
    const setup = { accumulateGradBatches: 1, precision: float32Precision };
    expect(() => dp.setup(bn, moduleParameters(bn), setup)).toThrow(
      /layer 'bn1' \(BatchNormalization\) normalises over the batch.*Fix: replace it with GroupNorm/s,
    );
    const ok = classificationModule(tinyCnn());
    const params = moduleParameters(ok);
    expect(() => dp.setup(ok, params, setup)).not.toThrow();
    expect(() => dp.setup(ok, params, { ...setup, accumulateGradBatches: 2 })).toThrow(
      /accumulateGradBatches must be 1/,
    );
    expect(() => dp.setup(ok, params, { ...setup, gradClipNorm: 1 })).toThrow(/remove gradClipNorm/);
    expect(() => dp.setup(ok, params, { ...setup, precision: new MixedPrecision({ dtype: 'float16' }) })).toThrow(
      /precision 'float16-mixed' is not supported/,
    );
    expect(() => new DpSgdStrategy(dpOptions({ maxGradNorm: 0 }))).toThrow(
      /maxGradNorm must be a finite number > 0, got 0/,
    );
  });

  it('finds the noise multiplier from a target epsilon for the planned epochs', () => {
    const want = getNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, sampleRate: 0.01, epochs: 2 });
    expect(resolveNoiseMultiplier({ targetEpsilon: 3, targetDelta: 1e-5, maxGradNorm: 1 }, 0.01, 2)).toBe(want);
    expect(resolveNoiseMultiplier({ noiseMultiplier: 1.1, targetDelta: 1e-5, maxGradNorm: 1 }, 0.04, 90)).toBe(1.1);
    expect(() => resolveNoiseMultiplier({ targetDelta: 1e-5, maxGradNorm: 1 }, 0.04, 90)).toThrow(
      /exactly one of dp.noise_multiplier and dp.target_epsilon/,
    );
  });
});

describe('PrivateBatchSource', () => {
  const data = syntheticDataset(40, 1);

  it('Poisson: each example joins each batch with probability q; sizes vary; empty batches have 0 rows', async () => {
    const source = new PrivateBatchSource(imageExamples(data), { batchSize: 4, seed: 5 });
    expect([source.sampleRate, source.expectedBatchSize, source.batchesPerEpoch]).toEqual([0.1, 4, 10]);
    const counts = new Array<number>(40).fill(0);
    const sizes: number[] = [];
    for (let epoch = 0; epoch < 100; epoch++) {
      for (let step = 0; step < source.batchesPerEpoch; step++) {
        const idx = source.indices(epoch, step);
        sizes.push(idx.length);
        idx.forEach((i) => counts[i]++);
      }
    }
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(3.8);
    expect(mean).toBeLessThan(4.2);
    expect(Math.min(...counts)).toBeGreaterThan(60); // 1000 draws at q = 0.1 each
    expect(Math.max(...counts)).toBeLessThan(140);
    expect(new Set(sizes).size).toBeGreaterThan(5);
    expect(sizes).toContain(0);
    expect(source.indices(3, 2)).toEqual(source.indices(3, 2));
    const sparse = new PrivateBatchSource(imageExamples(data), { batchSize: 1, sampleRate: 0.005, seed: 1 });
    const batches = [];
    for await (const b of sparse.batches(0)) batches.push(b);
    expect(batches).toHaveLength(200);
    const empty = batches.find((b) => b.x.shape[0] === 0);
    expect(empty?.x.shape).toEqual([0, 4, 4, 1]);
    expect(empty?.y.shape).toEqual([0]);
    tf.dispose(batches);
  });

  it('uniform: fixed-size batches of distinct examples', () => {
    const source = new PrivateBatchSource(imageExamples(data), { batchSize: 8, sampling: 'uniform', seed: 2 });
    const idx = source.indices(0, 0);
    expect(idx).toHaveLength(8);
    expect(new Set(idx).size).toBe(8);
    expect(() => new PrivateBatchSource(imageExamples(data), { batchSize: 41 })).toThrow(
      /batchSize must be an integer in \[1, 40\]/,
    );
  });
});

describe('DP-SGD end to end', () => {
  it('trains a BatchNorm-free CNN with Poisson batches; epsilon after k steps is the accountant value for (q, sigma, k)', async () => {
    seedEverything(0);
    const data = syntheticDataset(160, 4);
    const source = new PrivateBatchSource(imageExamples(data), { batchSize: 16, seed: 9 });
    const sigma = 0.6;
    const dp = new DpSgdStrategy({
      noiseMultiplier: sigma,
      maxGradNorm: 1,
      sampleRate: source.sampleRate,
      expectedBatchSize: source.expectedBatchSize,
      delta: 1e-5,
      seed: 1,
    });
    const module: TrainModule = classificationModule(tinyCnn('none'));
    const params = moduleParameters(module);
    dp.setup(module, params, { accumulateGradBatches: 1, precision: float32Precision });
    const optimizer = new SGD({ lr: 0.5, momentum: 0.5 });
    const callback = dp.epsilonCallback();
    const evaluate = () =>
      tf.tidy(() => {
        const all = imageExamples(data).batch(
          Int32Array.from({ length: 160 }, (_, i) => i),
          0,
          0,
        );
        const out = module.validationStep?.(all, ctxAt(0)) as Record<string, tf.Tensor>;
        return { loss: out.loss.dataSync()[0], acc: out.acc.mean().dataSync()[0] };
      });
    const start = evaluate();
    const records: EpochRecord[] = [];
    let step = 0;
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 2; epoch++) {
      for await (const batch of source.batches(epoch)) {
        const { grads } = dp.computeGradients(module, params, batch, ctxAt(step++));
        tf.dispose(batch);
        optimizer.step(params.trainable, grads);
        tf.dispose(grads);
      }
      const record = { epoch, global_step: step, lr: optimizer.lr } as EpochRecord;
      void callback.onEpochEnd?.(undefined as never, module, record);
      records.push(record);
    }
    expect(step).toBe(20);
    records.forEach((r) => {
      const want = privacySpent(DEFAULT_RDP_ORDERS, computeRdp(0.1, sigma, r.global_step), 1e-5);
      expect(r.epsilon).toBe(want.epsilon);
      expect(r.dp_best_order).toBe(want.bestOrder);
    });
    expect(records[1].epsilon).toBeGreaterThan(records[0].epsilon);
    const end = evaluate();
    expect(end.loss).toBeLessThan(start.loss - 0.05);
    expect(end.acc).toBeGreaterThan(start.acc);
    const slotsAfter = optimizer.stateDict();
    tf.dispose(slotsAfter.tensors);
    expect(tf.memory().numTensors).toBe(before + params.trainable.length); // only the momentum buffers are new
    const resumed = new DpSgdStrategy({
      noiseMultiplier: sigma,
      maxGradNorm: 1,
      sampleRate: 0.1,
      expectedBatchSize: 16,
      delta: 1e-5,
    });
    resumed.epsilonCallback().loadStateDict?.(JSON.parse(JSON.stringify(callback.stateDict?.())));
    expect(resumed.privacySpent().epsilon).toBe(records[1].epsilon);
    optimizer.dispose();
  });
});
