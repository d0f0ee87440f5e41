// Training and inference throughput of registry models (simple_cnn, resnet18) on the selected backend, beside
// PyTorch/torchvision in the same run (bench_zoo_torch.py: the same architectures, input, batch and step).
//
//   npx tsx packages/common/scripts/bench-zoo.ts [--with-torch] [--backend wasm] [--steps 10]
// One JSON object per line on stdout; progress goes to stderr. A step: forward, cross-entropy, backward, Adam.
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendPreference } from '../src/backend';
import { createModel } from '../src/models';

interface Case {
  model: string;
  /** [H, W, C] */
  input: [number, number, number];
  batch: number;
  classes: number;
  steps: number;
  warmup: number;
}

interface Result {
  model: string;
  input: number[];
  batch: number;
  backend: string;
  /** Trainable parameters (PyTorch's parameters(); BatchNorm's running statistics are buffers there). */
  params: number;
  train_img_s: number;
  infer_img_s: number;
}

const TORCH_SCRIPT = path.join(__dirname, 'bench_zoo_torch.py');
const progress = (line: string) => process.stderr.write(`[bench-zoo] ${line}\n`);

function parseArgs(argv: string[]) {
  const opts = { backend: 'auto' as BackendPreference, withTorch: false, steps: 10 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--with-torch') opts.withTorch = true;
    else if (argv[i] === '--backend') opts.backend = argv[++i] as BackendPreference;
    else if (argv[i] === '--steps') opts.steps = Number(argv[++i]);
    else
      throw new Error(
        `bench-zoo: unknown argument '${argv[i]}' (expected --with-torch, --backend <name>, --steps <n>)`,
      );
  }
  if (!Number.isInteger(opts.steps) || opts.steps < 1) throw new Error('bench-zoo: --steps must be a positive integer');
  return opts;
}

function seconds(f: () => void, warmup: number, steps: number): number {
  for (let i = 0; i < warmup; i++) f();
  const start = performance.now();
  for (let i = 0; i < steps; i++) f();
  return (performance.now() - start) / 1000;
}

function bench(c: Case, backend: string): Result {
  const model = createModel(c.model, { inputShape: c.input, numClasses: c.classes });
  progress(`${c.model} ${c.input.join('x')} batch ${c.batch}: ${c.warmup}+${c.steps} training steps`);
  const x = tf.randomNormal([c.batch, ...c.input]);
  const labels = tf.oneHot(tf.randomUniform([c.batch], 0, c.classes, 'int32'), c.classes);
  const optimizer = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        false,
        vars,
      );
    });
  const train = seconds(step, c.warmup, c.steps);
  const infer = seconds(() => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()), c.warmup, c.steps);
  const n = c.batch * c.steps;
  const result = {
    model: c.model,
    input: c.input,
    batch: c.batch,
    backend,
    params: vars.reduce((s, v) => s + v.size, 0),
    train_img_s: Math.round((10 * n) / train) / 10,
    infer_img_s: Math.round((10 * n) / infer) / 10,
  };
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return result;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const info = await initBackend(opts.backend, { log: progress });
  const backend = info.name + (info.name === 'wasm' ? `-${info.threads}t` : '');
  const cases: Case[] = [
    { model: 'simple_cnn', input: [28, 28, 1], batch: 64, classes: 10, steps: opts.steps, warmup: 2 },
    {
      model: 'resnet18',
      input: [64, 64, 3],
      batch: 32,
      classes: 10,
      steps: Math.max(1, Math.round(opts.steps / 2)),
      warmup: 1,
    },
  ];
  const ours = cases.map((c) => bench(c, backend));
  ours.forEach((r) => console.log(JSON.stringify(r)));
  if (!opts.withTorch) return;
  if (spawnSync('/usr/bin/python3', ['-c', 'import torchvision'], { stdio: 'ignore' }).status !== 0) {
    progress(
      '--with-torch: /usr/bin/python3 cannot import torchvision (apt-get install -y python3-torchvision); skipping',
    );
    return;
  }
  progress(`PyTorch: /usr/bin/python3 ${TORCH_SCRIPT}`);
  const out = execFileSync('/usr/bin/python3', [TORCH_SCRIPT, JSON.stringify(cases)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const torch = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Result);
  for (const t of torch) {
    console.log(JSON.stringify(t));
    const o = ours.find((r) => r.model === t.model);
    if (o && o.params !== t.params) progress(`WARNING ${t.model}: ${o.params} parameters here, ${t.params} in PyTorch`);
    if (o)
      console.log(
        JSON.stringify({
          model: t.model,
          vs: t.backend,
          ratio_train: Math.round((100 * o.train_img_s) / t.train_img_s) / 100,
          ratio_infer: Math.round((100 * o.infer_img_s) / t.infer_img_s) / 100,
        }),
      );
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
