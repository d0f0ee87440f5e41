// `nx run hrnet:bench --cfg <experiment> [--batch N] [--steps N]`: forward and SGD training-step throughput of an
// experiment's network on the selected backend (RESEARCH_BACKEND / auto), to plan runs on this machine.
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@research/common';
import { loadExperiment } from '../src/config';
import { buildHrnet } from '../src/model/hrnet';
import { countTrainableParams } from '../src/model/summary';

async function timeIt(steps: number, run: () => Promise<void>): Promise<number> {
  await run(); // warm-up: kernel compilation and first allocations
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await run();
  return (performance.now() - t0) / steps;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cfg: { type: 'string' }, batch: { type: 'string' }, steps: { type: 'string', default: '3' } } });
  if (values.cfg === undefined) throw new Error('usage: bench --cfg <experiment> [--batch N] [--steps N]');
  const experiment = loadExperiment(values.cfg);
  const batch = Number(values.batch ?? experiment.TRAIN.BATCH_SIZE_PER_GPU);
  const steps = Number(values.steps);
  await initBackend();
  const cfg = experiment.MODEL;
  const { model } = buildHrnet(cfg, { init: 'official', seed: 0 });
  const [width, height] = cfg.IMAGE_SIZE;
  const x = tf.randomUniform([batch, height, width, cfg.IN_CHANNELS]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, cfg.NUM_CLASSES, 'int32'), cfg.NUM_CLASSES);
  const { LR, MOMENTUM, NESTEROV } = experiment.TRAIN;
  const optimizer = tf.train.momentum(LR, MOMENTUM, NESTEROV);

  const forwardMs = await timeIt(steps, async () => {
    const logits = model.predict(x) as tf.Tensor;
    await logits.data();
    logits.dispose();
  });
  const trainMs = await timeIt(steps, async () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
    await loss!.data();
    loss!.dispose();
  });
  console.log(JSON.stringify({
    experiment: values.cfg, params: countTrainableParams(model), input: [batch, height, width, cfg.IN_CHANNELS], backend: tf.getBackend(),
    forward_ms: Math.round(forwardMs), forward_img_per_s: +((1000 * batch) / forwardMs).toFixed(1),
    train_step_ms: Math.round(trainMs), train_img_per_s: +((1000 * batch) / trainMs).toFixed(1),
  }));
  tf.dispose([x, y]);
  model.dispose();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
