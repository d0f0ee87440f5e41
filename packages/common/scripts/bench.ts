// Training and inference throughput of the reference models on the selected backend, in the format of
// ../shared/reference/torch_reference.py (one JSON object per line on stdout; progress goes to stderr).
//
//   npx nx run common:bench                       # both models on the auto-selected backend
//   npx nx run common:bench -- --with-torch       # also run PyTorch's reference in the same run and print ratios
//   npx nx run common:bench -- --profile          # per-kernel profile of one training step and one inference batch
//   npx nx run common:bench -- --ab               # wasm: training steps and inference with the project's C kernels
//                                                 # off and on, alternated in rounds in one process (a fair
//                                                 # comparison on a busy machine)
//   options: --backend wasm|cpu|...  --models cnn,vit-tiny  --batch 64  --steps 30
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendPreference } from '../src/backend';
import { setNativeKernelsEnabled } from '../src/backend/native/native-kernels';
import { createModel } from '../src/models';
import { Adam, type TorchOptimizer } from '../src/training/optim';

/** Benchmark name (as in torch_reference.py) -> registry name. */
const MODELS: Record<string, string> = { cnn: 'reference-cnn', 'vit-tiny': 'vit-tiny' };
const TORCH_REFERENCE = path.resolve(__dirname, '../../../../shared/reference/torch_reference.py');
const WARMUP = 3;

interface Result {
  model: string;
  batch: number;
  params: number;
  train_img_s: number;
  infer_img_s: number;
  backend?: string;
}

function parseArgs(argv: string[]) {
  const opts = {
    backend: 'auto' as BackendPreference,
    models: Object.keys(MODELS),
    batch: 64,
    steps: 30,
    withTorch: false,
    profile: false,
    ab: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: ${arg} needs a value`);
      return v;
    };
    if (arg === '--with-torch') opts.withTorch = true;
    else if (arg === '--profile') opts.profile = true;
    else if (arg === '--ab') opts.ab = true;
    else if (arg === '--backend') opts.backend = value() as BackendPreference;
    else if (arg === '--models') opts.models = value().split(',');
    else if (arg === '--batch') opts.batch = Number(value());
    else if (arg === '--steps') opts.steps = Number(value());
    else
      throw new Error(
        `bench: unknown argument '${arg}' (expected --with-torch, --profile, --ab, --backend, --models, --batch, --steps)`,
      );
  }
  for (const m of opts.models)
    if (!(m in MODELS)) throw new Error(`bench: unknown model '${m}'; expected ${Object.keys(MODELS).join(', ')}`);
  if (!(opts.batch >= 1) || !(opts.steps >= 1)) throw new Error('bench: --batch and --steps must be positive integers');
  return opts;
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * One training step as in torch_reference.py: forward, cross-entropy, backward, Adam (torch.optim.Adam's rule, the
 * project's optimizer that the Trainer runs; on wasm with the C kernels one fused update per parameter tensor).
 */
function makeTrainStep(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor, optimizer: TorchOptimizer) {
  const params = model.trainableWeights.map((w) => {
    const variable = w.read() as tf.Variable;
    return { name: variable.name, variable };
  });
  return () =>
    tf.tidy(() => {
      const loss = () =>
        tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      const { grads } = tf.variableGrads(
        loss,
        params.map((p) => p.variable),
      );
      optimizer.step(params, grads);
    });
}

function timeIt(f: () => void, steps: number): number {
  for (let i = 0; i < WARMUP; i++) f();
  const start = performance.now();
  for (let i = 0; i < steps; i++) f();
  return (performance.now() - start) / 1000;
}

async function profileStep(step: () => void, name: string, what = 'training step'): Promise<void> {
  const kernelNames = new Set(tf.getKernelsForBackend(tf.getBackend()).map((k) => k.kernelName));
  const steps = 3;
  const info = await tf.profile(() => {
    for (let i = 0; i < steps; i++) step();
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const byShape = new Map<string, number>();
  for (const k of info.kernels) {
    if (!kernelNames.has(k.name)) continue; // op scopes wrap kernels: count only the kernels
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs) / steps;
    entry.calls += 1 / steps;
    byKernel.set(k.name, entry);
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    byShape.set(key, (byShape.get(key) ?? 0) + Number(k.kernelTimeMs) / steps);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  const calls = [...byKernel.values()].reduce((s, e) => s + e.calls, 0);
  console.log(`profile of one ${name} ${what}: ${total.toFixed(1)} ms in ${Math.round(calls)} kernel calls`);
  for (const [kernel, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(
      `  ${kernel.padEnd(32)} ${e.ms.toFixed(1).padStart(7)} ms ${((100 * e.ms) / total).toFixed(0).padStart(3)}% ${String(Math.round(e.calls)).padStart(5)} calls`,
    );
  }
  console.log('  slowest by input shapes:');
  for (const [key, ms] of [...byShape].sort((a, b) => b[1] - a[1]).slice(0, 8))
    console.log(`    ${ms.toFixed(1).padStart(7)} ms ${((100 * ms) / total).toFixed(0).padStart(3)}%  ${key}`);
}

async function benchModel(
  name: string,
  batch: number,
  steps: number,
  backend: string,
  profile: boolean,
): Promise<Result> {
  const model = createModel(MODELS[name]);
  const params = model.countParams();
  progress(`${name}: ${params} parameters; training ${WARMUP}+${steps} steps at batch ${batch}`);
  const x = tf.randomNormal([batch, 28, 28, 1]);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const optimizer = new Adam({ lr: 1e-3 });
  const step = makeTrainStep(model, x, labels, optimizer);
  const trainS = timeIt(step, steps);
  progress(`${name}: inference ${WARMUP}+${steps} batches`);
  const inferS = timeIt(() => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()), steps);
  if (profile) {
    await profileStep(step, name);
    await profileStep(() => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()), name, 'inference batch');
  }
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return {
    model: name,
    batch,
    params,
    train_img_s: Math.round((batch * steps) / trainS),
    infer_img_s: Math.round((batch * steps) / inferS),
    backend,
  };
}

/**
 * Training and inference img/s with the C kernels off and on: `rounds` alternating rounds of `steps / rounds` steps
 * each way, the best round of each (the one least slowed by other processes).
 */
function benchOwnKernels(name: string, batch: number, steps: number, rounds = 5): Record<string, unknown> {
  const model = createModel(MODELS[name]);
  const x = tf.randomNormal([batch, 28, 28, 1]);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  const optimizer = new Adam({ lr: 1e-3 });
  const step = makeTrainStep(model, x, labels, optimizer);
  // Inference as benchModel times it (model.predict's default batches).
  const infer = () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  const perRound = Math.max(1, Math.round(steps / rounds));
  const best = { trainOff: Infinity, trainOn: Infinity, inferOff: Infinity, inferOn: Infinity };
  for (let r = 0; r < rounds; r++) {
    setNativeKernelsEnabled(false);
    best.trainOff = Math.min(best.trainOff, timeIt(step, perRound));
    best.inferOff = Math.min(best.inferOff, timeIt(infer, perRound));
    setNativeKernelsEnabled(true);
    best.trainOn = Math.min(best.trainOn, timeIt(step, perRound));
    best.inferOn = Math.min(best.inferOn, timeIt(infer, perRound));
  }
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  const imgS = (s: number) => Math.round((batch * perRound) / s);
  const ratio = (off: number, on: number) => Math.round((100 * off) / on) / 100;
  return {
    model: name,
    batch,
    train_img_s_own_off: imgS(best.trainOff),
    train_img_s_own_on: imgS(best.trainOn),
    speedup: ratio(best.trainOff, best.trainOn),
    infer_img_s_own_off: imgS(best.inferOff),
    infer_img_s_own_on: imgS(best.inferOn),
    infer_speedup: ratio(best.inferOff, best.inferOn),
  };
}

function torchAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runTorch(): Result[] {
  progress(`PyTorch: /usr/bin/python3 ${TORCH_REFERENCE} throughput`);
  const out = execFileSync('/usr/bin/python3', [TORCH_REFERENCE, 'throughput'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => ({ ...(JSON.parse(l) as Result), backend: 'torch' }));
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const info = await initBackend(opts.backend, { log: progress });
  if (opts.ab) {
    if (!info.ownKernels?.length)
      throw new Error('bench --ab: the C kernels are not running (wasm backend, RESEARCH_OWN_KERNELS not 0)');
    for (const name of opts.models) console.log(JSON.stringify(benchOwnKernels(name, opts.batch, opts.steps)));
    return;
  }
  const ours: Result[] = [];
  for (const name of opts.models) {
    // e.g. wasm-2t+own2t: tfjs-wasm on 2 threads with the project's C kernels on 2 (the backend line lists them).
    const own = info.ownKernels?.length ? `+own${info.ownKernelThreads}t` : '';
    const result = await benchModel(
      name,
      opts.batch,
      opts.steps,
      info.name + (info.name === 'wasm' ? `-${info.threads}t${own}` : ''),
      opts.profile,
    );
    console.log(JSON.stringify(result));
    ours.push(result);
  }
  if (!opts.withTorch) return;
  if (!torchAvailable()) {
    progress('--with-torch: python3-torch is not importable (apt-get install -y python3-torch); skipping PyTorch');
    return;
  }
  const torch = runTorch();
  for (const t of torch) console.log(JSON.stringify(t));
  for (const o of ours) {
    const t = torch.find((r) => r.model === o.model);
    if (!t) continue;
    if (t.params !== o.params) progress(`WARNING ${o.model}: ${o.params} parameters here, ${t.params} in PyTorch`);
    const ratio = (a: number, b: number) => Math.round((100 * a) / b) / 100;
    console.log(
      JSON.stringify({
        model: o.model,
        ratio_train: ratio(o.train_img_s, t.train_img_s),
        ratio_infer: ratio(o.infer_img_s, t.infer_img_s),
        backend: o.backend,
      }),
    );
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
