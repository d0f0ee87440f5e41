import * as tf from '@tensorflow/tfjs';
import { syntheticDataset } from '../__fixtures__/synthetic';
import { MixedPrecision } from '../precision/mixed-precision';
import { float32Precision } from '../precision/plugin';
import { DpSgdStrategy } from '../privacy/dp-sgd';
import { PrivateBatchSource, imageExamples } from '../privacy/private-sampler';
import { trainingPluginsFromConfig } from './from-config';
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
      /trainer_type: expected one of standard, dp, mixed_precision, got 'fast'/,
    );
    expect(() => trainingPluginsFromConfig({ trainer_type: 'mixed_precision', amp_dtype: 'int8' }, ctx)).toThrow(
      /amp_dtype: expected one of float16, bfloat16, got 'int8'/,
    );
    expect(() => trainingPluginsFromConfig({ trainer_type: 'dp' }, ctx)).toThrow(/needs a dp block/);
    const both = {
      trainer_type: 'dp',
      dp: { noise_multiplier: 1, target_epsilon: 3, max_grad_norm: 1, target_delta: 1e-5 },
    };
    expect(() => trainingPluginsFromConfig(both, ctx)).toThrow(
      /exactly one of dp.noise_multiplier and dp.target_epsilon/,
    );
  });
});
