// Sampler quality on a short real training: our TPE, our random sampler and Python Optuna's TPESampler (Debian's 3.1,
// driven by ask/tell through a pipe: Python sends parameters, Node trains and sends the value back), best validation
// accuracy after 50 trials, mean and standard deviation over seeds.
//
//   npx tsx packages/common/scripts/bench-search-training.ts [--seeds 10] [--trials 50] [--data ../shared/datasets/fashion-mnist]
//
// The objective: an MLP 784 -> hidden (ReLU) -> 10 trained for one epoch with SGD + momentum on the first 1,500
// Fashion-MNIST training images, accuracy on the next 500; parameters lr (log-uniform 1e-4..1), hidden (int, log,
// 8..128), momentum (uniform 0..0.99), batch_size (categorical 16/32/64/128). Initial weights and the data order are
// fixed and wasm runs single-threaded, so the value is a deterministic function of the parameters: the three
// samplers see the same objective.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend';
import { readIdx } from '../src/data';
import { createStudy, RandomSampler, TPESampler, type Trial } from '../src/search';

process.env.RESEARCH_WASM_THREADS = '0'; // one order of sums: the same parameters give the same value
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const nSeeds = Number(option('seeds', '10'));
const nTrials = Number(option('trials', '50'));
const dataDir = option('data', join(__dirname, '..', '..', '..', '..', 'shared', 'datasets', 'fashion-mnist'));
const N_TRAIN = 1500;
const N_VAL = 500;

interface Params {
  lr: number;
  hidden: number;
  momentum: number;
  batch_size: number;
}

function loadData(): { x: tf.Tensor2D; y: tf.Tensor2D; xVal: tf.Tensor2D; yVal: tf.Tensor1D } {
  const images = readIdx(join(dataDir, 'train-images-idx3-ubyte.gz'));
  const labels = readIdx(join(dataDir, 'train-labels-idx1-ubyte.gz'));
  const n = N_TRAIN + N_VAL;
  const pixels = Float32Array.from((images.data as Uint8Array).subarray(0, n * 784), (v) => v / 255);
  const classes = Int32Array.from((labels.data as Uint8Array).subarray(0, n));
  const all = tf.tensor2d(pixels, [n, 784]);
  const [x, xVal] = tf.split(all, [N_TRAIN, N_VAL]) as [tf.Tensor2D, tf.Tensor2D];
  const y = tf.oneHot(tf.tensor1d(classes.subarray(0, N_TRAIN), 'int32'), 10).toFloat() as tf.Tensor2D;
  const yVal = tf.tensor1d(classes.subarray(N_TRAIN), 'int32');
  all.dispose();
  return { x, y, xVal, yVal };
}

/** One epoch of training with these parameters; the validation accuracy. */
function validationAccuracy(data: ReturnType<typeof loadData>, p: Params): number {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [784],
        units: p.hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const optimizer = tf.train.momentum(p.lr, p.momentum);
  for (let start = 0; start < N_TRAIN; start += p.batch_size) {
    const size = Math.min(p.batch_size, N_TRAIN - start);
    tf.tidy(() => {
      const xb = data.x.slice([start, 0], [size, 784]);
      const yb = data.y.slice([start, 0], [size, 10]);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.predict(xb) as tf.Tensor) as tf.Scalar);
    });
  }
  const accuracy = tf.tidy(
    () => (model.predict(data.xVal) as tf.Tensor).argMax(-1).equal(data.yVal).toFloat().mean().dataSync()[0],
  );
  model.dispose();
  optimizer.dispose();
  return accuracy;
}

async function suggest(t: Trial): Promise<Params> {
  return {
    lr: await t.suggestFloat('lr', 1e-4, 1, { log: true }),
    hidden: await t.suggestInt('hidden', 8, 128, { log: true }),
    momentum: await t.suggestFloat('momentum', 0, 0.99),
    batch_size: await t.suggestCategorical('batch_size', [16, 32, 64, 128]),
  };
}

async function ours(data: ReturnType<typeof loadData>, sampler: TPESampler | RandomSampler, dir: string) {
  const study = await createStudy({
    studyName: 'b',
    storage: `sqlite:///${join(dir, `${Math.random().toString(36).slice(2)}.db`)}`,
    direction: 'maximize',
    sampler,
  });
  await study.optimize(async (t) => validationAccuracy(data, await suggest(t)), { nTrials });
  const best = await study.bestValue();
  await study.close();
  return best;
}

/** Python Optuna's TPE over all seeds: it asks, we train, it is told. Best value per seed. */
function optunaTpe(data: ReturnType<typeof loadData>): Promise<number[]> {
  const script = join(__dirname, 'bench-search-training-optuna.py');
  const child = spawn('/usr/bin/python3', [script, '0', String(nSeeds), String(nTrials)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const best: number[] = [];
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const message = JSON.parse(line) as Params | { seed: number; best: number };
    if ('seed' in message) best.push(message.best);
    else child.stdin.write(`${validationAccuracy(data, message)}\n`);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(best)
        : reject(new Error(`Python Optuna exited with ${code} (apt-get install python3-optuna)`)),
    );
  });
}

function meanStd(xs: number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
}

async function main(): Promise<void> {
  await initBackend('wasm', { log: () => undefined });
  const data = loadData();
  const dir = mkdtempSync(join(tmpdir(), 'bench-search-training-'));
  try {
    const started = performance.now();
    const results: Record<string, number[]> = { 'ours TPE': [], 'ours random': [] };
    for (let seed = 0; seed < nSeeds; seed++) {
      results['ours TPE'].push(await ours(data, new TPESampler({ seed }), dir));
      results['ours random'].push(await ours(data, new RandomSampler({ seed }), dir));
      console.log(`seed ${seed}: ours TPE ${results['ours TPE'][seed]}, random ${results['ours random'][seed]}`);
    }
    results['Optuna 3.1 TPE'] = await optunaTpe(data);
    const seconds = (performance.now() - started) / 1000 / (3 * nSeeds * nTrials);
    console.log(`Optuna TPE per seed: ${results['Optuna 3.1 TPE'].join(', ')}`);
    console.log(
      `\nbest validation accuracy after ${nTrials} trials, mean ± std over seeds 0-${nSeeds - 1} ` +
        `(MLP, 1 epoch, ${N_TRAIN} Fashion-MNIST images, ${N_VAL} for validation; ${seconds.toFixed(2)} s per trial)`,
    );
    for (const [name, values] of Object.entries(results)) console.log(`  ${name.padEnd(16)} ${meanStd(values)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
