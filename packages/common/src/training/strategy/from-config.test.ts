import * as tf from '@tensorflow/tfjs';
import { syntheticDataset } from '../__fixtures__/synthetic';
import { MixedPrecision } from '../precision/mixed-precision';
import { float32Precision } from '../precision/plugin';
import { DpSgdStrategy } from '../privacy/dp-sgd';
import { PrivateBatchSource, imageExamples } from '../privacy/private-sampler';
import { DataParallelStrategy } from '../distributed/data-parallel';
import { defaultWorldSize, trainingPluginsFromConfig } from './from-config';
import { standardStrategy } from './gradient-strategy';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainingPluginsFromConfig', () => {
  const ctx = { examples: imageExamples(syntheticDataset(100, 1)), batchSize: 10, epochs: 2, seed: 4 };

  it('builds the standard, mixed precision and dp trainers', () => {
    expect(trainingPluginsFromConfig({ trainer_type: 'standard' }, ctx)).toEqual({
      strategy: standardStrategy,
      precision: float32Precision,
      callbacks: [],
      description: 'standard float32',
    });
    const amp = trainingPluginsFromConfig({ trainer_type: 'mixed_precision', amp_dtype: 'bfloat16' }, ctx);
    expect(amp.precision).toBeInstanceOf(MixedPrecision);
    expect(amp.precision.name).toBe('bfloat16-mixed');
    const fp16 = trainingPluginsFromConfig({ trainer_type: 'mixed_precision' }, ctx);
    expect(fp16.precision.name).toBe('float16-mixed');
    expect(fp16.callbacks[0].stateKey).toBe('amp_grad_scaler');
    const dp = trainingPluginsFromConfig(
      { trainer_type: 'dp', dp: { noise_multiplier: 1.2, max_grad_norm: 0.5, target_delta: 1e-5 } },
      ctx,
    );
    const strategy = dp.strategy as DpSgdStrategy;
    expect(strategy).toBeInstanceOf(DpSgdStrategy);
    expect([strategy.noiseMultiplier, strategy.maxGradNorm, strategy.sampleRate, strategy.expectedBatchSize]).toEqual([
      1.2, 0.5, 0.1, 10,
    ]);
    expect(dp.trainSource).toBeInstanceOf(PrivateBatchSource);
    expect(dp.callbacks[0].stateKey).toBe('dp_accountant');
    expect(dp.description).toBe('DP-SGD: noise multiplier 1.2000, max_grad_norm 0.5, poisson sampling at q = 0.1000');
  });

  it('builds the accelerate strategy with the configured workers, one per core by default', () => {
    const two = trainingPluginsFromConfig({ trainer_type: 'accelerate', accelerate: { num_workers: 2 } }, ctx);
    expect(two.strategy).toBeInstanceOf(DataParallelStrategy);
    expect((two.strategy as DataParallelStrategy).worldSize).toBe(2);
    expect(two.precision).toBe(float32Precision);
    const auto = trainingPluginsFromConfig({ trainer_type: 'accelerate' }, ctx);
    expect((auto.strategy as DataParallelStrategy).worldSize).toBe(defaultWorldSize());
  });

  it('finds the noise for dp.target_epsilon over the planned epochs', () => {
    const dp = trainingPluginsFromConfig(
      { trainer_type: 'dp', dp: { target_epsilon: 5, max_grad_norm: 1, target_delta: 1e-5 } },
      ctx,
    );
    const strategy = dp.strategy as DpSgdStrategy;
    expect(dp.description).toContain(
      `noise multiplier ${strategy.noiseMultiplier.toFixed(4)} (found for epsilon 5 at delta 0.00001 after 2 epochs)`,
    );
    strategy.accountant.history = [{ noiseMultiplier: strategy.noiseMultiplier, sampleRate: 0.1, steps: 20 }];
    const eps = strategy.privacySpent().epsilon;
    expect(eps).toBeLessThanOrEqual(5);
    expect(eps).toBeGreaterThan(4.99);
  });

  it('says what is wrong with a config', () => {
    expect(() => trainingPluginsFromConfig({ trainer_type: 'fast' }, ctx)).toThrow(
      /trainer_type: expected one of standard, dp, accelerate, mixed_precision, got 'fast'/,
    );
    expect(() => trainingPluginsFromConfig({ trainer_type: 'mixed_precision', amp_dtype: 'int8' }, ctx)).toThrow(
      /amp_dtype: expected one of float16, bfloat16, got 'int8'/,
    );
    expect(() => trainingPluginsFromConfig({ trainer_type: 'dp' }, ctx)).toThrow(/needs a dp block/);
    const dpOnWorkers = {
      trainer_type: 'dp',
      dp: { noise_multiplier: 1, max_grad_norm: 1, target_delta: 1e-5 },
      accelerate: { num_workers: 2 },
    };
    expect(() => trainingPluginsFromConfig(dpOnWorkers, ctx)).toThrow(
      /accelerate.num_workers = 2 needs trainer_type 'accelerate', got 'dp': DP-SGD on data-parallel workers is not supported/,
    );
    expect(() =>
      trainingPluginsFromConfig({ trainer_type: 'accelerate', accelerate: { num_workers: 1.5 } }, ctx),
    ).toThrow(/accelerate.num_workers: expected an integer >= 0 \(0: one per core\), got 1.5/);
    const both = {
      trainer_type: 'dp',
      dp: { noise_multiplier: 1, target_epsilon: 3, max_grad_norm: 1, target_delta: 1e-5 },
    };
    expect(() => trainingPluginsFromConfig(both, ctx)).toThrow(
      /exactly one of dp.noise_multiplier and dp.target_epsilon/,
    );
  });
});
