// The trainer types through the one Trainer (not a test loop): DP-SGD's epsilon in every epoch record equals the
// accountant's value for the steps taken; BatchNorm is refused at fit start; a float16 overflow skips updates.
import * as tf from '@tensorflow/tfjs';
import { syntheticDataset, syntheticLoader } from '../__fixtures__/synthetic';
import { classificationModule } from '../module';
import { SGD } from '../optim';
import { imageExamples } from '../privacy/private-sampler';
import { RdpAccountant } from '../privacy';
import { Trainer } from '../trainer';
import { roundToFloat16 } from '../precision/half-round';
import { trainingPluginsFromConfig } from './from-config';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function mlp(batchNorm = false): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    tf.layers.flatten({ inputShape: [4, 4, 1] }),
    tf.layers.dense({ units: 8, activation: 'relu' }),
  ];
  if (batchNorm) layers.push(tf.layers.batchNormalization());
  layers.push(tf.layers.dense({ units: 3 }));
  return tf.sequential({ layers });
}

it("dp: the Trainer trains on Poisson batches and records the accountant's epsilon each epoch", async () => {
  const data = syntheticDataset(100, 1);
  const plugins = trainingPluginsFromConfig(
    { trainer_type: 'dp', dp: { noise_multiplier: 1.1, max_grad_norm: 1, target_delta: 1e-5 } },
    { examples: imageExamples(data), batchSize: 10, epochs: 2, seed: 4 },
  );
  const model = mlp();
  const trainer = new Trainer({
    maxEpochs: 2,
    optimizer: new SGD({ lr: 0.1 }),
    strategy: plugins.strategy,
    precision: plugins.precision,
    callbacks: plugins.callbacks,
  });
  const fit = await trainer.fit(classificationModule(model), plugins.trainSource!, syntheticLoader(30, 2, 10, false));
  // floor(1 / q) = 10 steps per epoch at q = 0.1.
  expect(fit.history.map((r) => r.global_step)).toEqual([10, 20]);
  const accountant = new RdpAccountant();
  accountant.history = [{ noiseMultiplier: 1.1, sampleRate: 0.1, steps: 20 }];
  expect(fit.history[1].epsilon).toBeCloseTo(accountant.getPrivacySpent(1e-5).epsilon, 9);
  expect(fit.history[0].epsilon).toBeLessThan(fit.history[1].epsilon);
  model.dispose();
});

it('dp: a model with BatchNorm is refused when the fit starts, naming the fix', async () => {
  const data = syntheticDataset(40, 1);
  const plugins = trainingPluginsFromConfig(
    { trainer_type: 'dp', dp: { noise_multiplier: 1, max_grad_norm: 1, target_delta: 1e-5 } },
    { examples: imageExamples(data), batchSize: 10, epochs: 1, seed: 4 },
  );
  const trainer = new Trainer({ maxEpochs: 1, optimizer: new SGD({ lr: 0.1 }), strategy: plugins.strategy });
  await expect(trainer.fit(classificationModule(mlp(true)), plugins.trainSource!)).rejects.toThrow(
    /BatchNorm.*GroupNorm/s,
  );
});

it('mixed_precision float16: an overflowing loss scale skips updates through the Trainer and the scale backs off', async () => {
  const plugins = trainingPluginsFromConfig(
    { trainer_type: 'mixed_precision', amp_dtype: 'float16' },
    { batchSize: 8, epochs: 1 },
  );
  const model = mlp();
  const before = model.getWeights().map((w) => Array.from(w.dataSync()));
  // A huge learning target: 65536 x the loss overflows float16 at first, so the first steps are skipped.
  const trainer = new Trainer({
    maxEpochs: 1,
    optimizer: new SGD({ lr: 0.01 }),
    precision: plugins.precision,
    callbacks: plugins.callbacks,
  });
  const module = classificationModule(model, { loss: (logits) => logits.square().mean().mul(100) as tf.Scalar });
  const fit = await trainer.fit(module, syntheticLoader(128, 3, 8));
  const record = fit.history[0];
  expect(record.amp_skipped_steps).toBeGreaterThan(0);
  expect(record.amp_scale).toBeLessThan(65536);
  expect(fit.globalStep).toBe(16); // skipped updates still count as steps, as torch's GradScaler loop does
  expect(model.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(before); // later steps did update
  model.dispose();
});

describe('mixed_precision and an integer-only op (Embedding)', () => {
  function embedder(dtype: 'float32' | 'int32'): tf.LayersModel {
    const input = tf.input({ shape: [2], dtype });
    const embedded = tf.layers.embedding({ inputDim: 3000, outputDim: 4 }).apply(input) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 3 }).apply(tf.layers.flatten().apply(embedded)) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: logits });
  }
  const indices = (dtype: 'float32' | 'int32') => ({
    batchesPerEpoch: 1,
    size: 2,
    async *batches() {
      yield {
        x: tf.tensor2d(
          [
            [2049, 7],
            [1, 2999],
          ],
          [2, 2],
          dtype,
        ),
        y: tf.tensor1d([0, 2], 'int32'),
      };
    },
  });

  it('refuses float32 indices at fit start (float16 would round 2049 to 2048), trains with int32 indices', async () => {
    expect(roundToFloat16(2049)).toBe(2048);
    const make = () =>
      trainingPluginsFromConfig({ trainer_type: 'mixed_precision', amp_dtype: 'float16' }, { batchSize: 2, epochs: 1 });
    const refused = embedder('float32');
    const plugins = make();
    const trainer = new Trainer({ maxEpochs: 1, optimizer: new SGD({ lr: 0.1 }), precision: plugins.precision });
    await expect(trainer.fit(classificationModule(refused), indices('float32'))).rejects.toThrow(
      /layer 'embedding.*' \(Embedding\) takes integer indices but is fed float32: float16 mixed precision would round indices above 2048\. Fix: make its input int32/,
    );
    const accepted = embedder('int32');
    const ok = make();
    const fit = await new Trainer({ maxEpochs: 1, optimizer: new SGD({ lr: 0.1 }), precision: ok.precision }).fit(
      classificationModule(accepted),
      indices('int32'),
    );
    expect(fit.globalStep).toBe(1);
    refused.dispose();
    accepted.dispose();
  });
});
