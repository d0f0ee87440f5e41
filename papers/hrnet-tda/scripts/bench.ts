// `nx run hrnet:bench --cfg <experiment> [--batch N] [--steps N] [--profile]`: forward and SGD training-step
// throughput of an experiment's network on the selected backend (RESEARCH_BACKEND / auto), to plan runs on this
// machine; --profile adds the kernels and layer shapes that take the time in one training step.
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
  const { values } = parseArgs({ options: { cfg: { type: 'string' }, batch: { type: 'string' }, steps: { type: 'string', default: '3' }, profile: { type: 'boolean', default: false } } });
  if (values.cfg === undefined) throw new Error('usage: bench --cfg <experiment> [--batch N] [--steps N] [--profile]');
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
  const trainStep = async () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
    await loss!.data();
    loss!.dispose();
  };
  const trainMs = await timeIt(steps, trainStep);
  console.log(JSON.stringify({
    experiment: values.cfg, params: countTrainableParams(model), input: [batch, height, width, cfg.IN_CHANNELS], backend: tf.getBackend(),
    forward_ms: Math.round(forwardMs), forward_img_per_s: +((1000 * batch) / forwardMs).toFixed(1),
    train_step_ms: Math.round(trainMs), train_img_per_s: +((1000 * batch) / trainMs).toFixed(1),
  }));
  if (values.profile) await printProfile(trainStep);
  tf.dispose([x, y]);
  model.dispose();
}

/** Kernel time of one training step by kernel and by kernel + input shapes (tf.profile; op scopes left out). */
async function printProfile(step: () => Promise<void>): Promise<void> {
  const kernelNames = new Set(tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelName));
  const info = await tf.profile(step);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const byShape = new Map<string, number>();
  for (const k of info.kernels) {
    if (!kernelNames.has(k.name)) continue;
    const ms = Number(k.kernelTimeMs);
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    byKernel.set(k.name, { ms: entry.ms + ms, calls: entry.calls + 1 });
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    byShape.set(key, (byShape.get(key) ?? 0) + ms);
  }
  const total = [...byKernel.values()].reduce((sum, e) => sum + e.ms, 0);
  console.log(`kernel time of one training step: ${total.toFixed(0)} ms`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`  ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(0).padStart(3)}% ${String(e.calls).padStart(5)} calls`);
  }
  console.log('slowest kernel calls by input shapes:');
  for (const [key, ms] of [...byShape].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${key}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
