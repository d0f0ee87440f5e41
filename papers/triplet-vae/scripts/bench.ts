// Training throughput of the triplet-vae models on this machine: img/s of one optimizer step (forward, backward,
// AdamW) per model mode, with and without the augmentations, on random images. Prints one JSON line per case.
//   npx tsx papers/triplet-vae/scripts/bench.ts [key=value config overrides]
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, createRng, initBackend, moduleParameters, seedEverything } from '@research/common';
import { composeTripletVaeConfig } from '../src/config';
import { augmentation } from '../src/data';
import { modelForConfig } from '../src/checkpoint';
import { tripletVaeModule } from '../src/module';

async function bench(overrides: string[], label: string, steps = 8): Promise<void> {
  const { config } = composeTripletVaeConfig('fashionmnist', overrides);
  seedEverything(0);
  const model = modelForConfig(config);
  const module = tripletVaeModule(model, config.loss);
  const params = moduleParameters(module).trainable;
  const optimizer = createOptimizer({ name: 'adamw', lr: 1e-3 });
  const b = config.data.batch_size;
  const transform = augmentation(config.data.augment);
  const rng = createRng(0);
  const step = () => {
    const batch = tf.tidy(() => {
      const make = () => {
        const x = tf.randomUniform([b, 28, 28, 1]) as tf.Tensor4D;
        return transform ? transform(x, rng) : x;
      };
      const y = tf.tensor1d(
        Int32Array.from({ length: b }, (_, i) => i % 10),
        'int32',
      );
      return {
        anchor: make(),
        positive: make(),
        negative: make(),
        y,
        y_negative: tf.tensor1d(
          Int32Array.from({ length: b }, (_, i) => (i + 1) % 10),
          'int32',
        ),
      };
    });
    const { value, grads } = tf.variableGrads(
      () => module.trainingStep(batch, { epoch: 0, batchIndex: 0, globalStep: 0, stage: 'train' }).loss,
      params.map((p) => p.variable),
    );
    const named: Record<string, tf.Tensor> = {};
    for (const p of params) named[p.name] = grads[p.variable.name];
    optimizer.step(params, named);
    value.dataSync();
    tf.dispose([value, grads, batch]);
  };
  step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      case: label,
      batch_triplets: b,
      img_per_s: Math.round((3 * b * steps) / seconds),
      tensors: tf.memory().numTensors,
    }),
  );
}

async function main(): Promise<void> {
  await initBackend('auto');
  const extra = process.argv.slice(2);
  await bench(['data.augment.enabled=false', ...extra], 'multitask, no augmentation');
  await bench([...extra], 'multitask, augmented');
  await bench(['model=simple', 'data.augment.enabled=false', ...extra], 'simple, no augmentation');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
