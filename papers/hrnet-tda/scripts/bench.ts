// `nx run hrnet:bench -- --cfg <experiment> [--batch N] [--steps N] [--profile] [--with-torch <dir>] [KEY.PATH=value ...]`:
// forward and SGD training-step throughput of an experiment's network on the selected backend (RESEARCH_BACKEND /
// auto), to plan runs on this machine. --profile adds the kernels and layer shapes that take the time in one training
// step; --with-torch <dir of the official cls_hrnet.py> then times the official PyTorch network on the same experiment
// (scripts/bench_torch.py, /usr/bin/python3 with python3-torch, 2 threads) and prints the ratios.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { initBackend, buildHrnet } from '@research/common';
import { loadExperiment, type HrnetExperiment } from '../src/config';
import { countTrainableParams } from '../src/summary';

async function timeIt(steps: number, run: () => Promise<void>): Promise<number> {
  await run(); // warm-up: kernel compilation and first allocations
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await run();
  return (performance.now() - t0) / steps;
}

interface Throughput {
  forward_img_per_s: number;
  train_img_per_s: number;
}

/** The official network in PyTorch on the same (resolved) experiment, batch and steps. */
function torchPeer(modelsDir: string, experiment: HrnetExperiment, batch: number, steps: number): Throughput {
  const script = path.join(__dirname, 'bench_torch.py');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-bench-'));
  try {
    const file = path.join(dir, 'experiment.yaml');
    fs.writeFileSync(file, JSON.stringify(experiment)); // JSON is YAML: the script's yaml.safe_load reads it
    const out = execFileSync(
      '/usr/bin/python3',
      [script, modelsDir, file, '--batch', String(batch), '--steps', String(steps), '--threads', '2'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    console.log(out.trim());
    return JSON.parse(out) as Throughput;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface BenchFlags {
  /** --config or --cfg (commander keeps the last long name). */
  cfg: string;
  batch?: string;
  steps: string;
  profile?: boolean;
  withTorch?: string;
}

async function bench(overrides: string[], values: BenchFlags): Promise<void> {
  const experiment = loadExperiment(values.cfg, overrides);
  await initBackend(experiment.BACKEND);
  const batch = Number(values.batch ?? experiment.TRAIN.BATCH_SIZE_PER_GPU);
  const steps = Number(values.steps);
  if (!Number.isInteger(batch) || batch <= 0 || !Number.isInteger(steps) || steps <= 0)
    throw new Error('--batch and --steps must be positive integers');
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
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    );
    await loss!.data();
    loss!.dispose();
  };
  const trainMs = await timeIt(steps, trainStep);
  const ours = {
    experiment: experiment.NAME,
    params: countTrainableParams(model),
    input: [batch, height, width, cfg.IN_CHANNELS],
    backend: tf.getBackend(),
    forward_ms: Math.round(forwardMs),
    forward_img_per_s: +((1000 * batch) / forwardMs).toFixed(1),
    train_step_ms: Math.round(trainMs),
    train_img_per_s: +((1000 * batch) / trainMs).toFixed(1),
  };
  console.log(JSON.stringify(ours));
  if (values.profile) await printProfile(trainStep);
  tf.dispose([x, y]);
  model.dispose();
  const modelsDir = values.withTorch;
  if (modelsDir !== undefined) {
    const torch = torchPeer(modelsDir, experiment, batch, steps);
    console.log(
      `ratio tfjs/torch: train ${(ours.train_img_per_s / torch.train_img_per_s).toFixed(2)}, forward ${(ours.forward_img_per_s / torch.forward_img_per_s).toFixed(2)}`,
    );
  }
}

new Command('hrnet-bench')
  .argument('[overrides...]', 'experiment overrides, e.g. TRAIN.BATCH_SIZE_PER_GPU=64')
  .option('--config, --cfg <experiment>', 'experiment short name, file name or path', 'w18_small_v1_32x32')
  .option('--batch <n>', 'batch size (default TRAIN.BATCH_SIZE_PER_GPU)')
  .option('--steps <n>', 'timed steps after one warm-up', '3')
  .option('--profile', 'kernel times of one training step')
  .option('--with-torch <dir>', 'folder of the official cls_hrnet.py: time PyTorch on the same experiment')
  .action(bench)
  .parseAsync()
  .catch((err: Error) => {
    console.error(`error: ${err.message}`);
    process.exitCode = 1;
  });

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
    console.log(
      `  ${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(0).padStart(3)}% ${String(e.calls).padStart(5)} calls`,
    );
  }
  console.log('slowest kernel calls by input shapes:');
  for (const [key, ms] of [...byShape].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${key}`);
}
