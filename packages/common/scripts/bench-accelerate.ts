// Data-parallel training throughput: the reference CNN and ViT-tiny trained through the Trainer at a global batch of
// 64, one process with 2 wasm threads (standard strategy) against 2 ranks of 1 wasm thread each (trainer_type
// accelerate: rank 0 here, rank 1 a worker thread), and one process on 1 thread as the baseline. Each measurement runs in a fresh child process (the wasm thread
// count is fixed when a process starts its backend); the two settings alternate in rounds so that the machine's load
// falls on both alike. Prints each round and the best round of each setting, with the 1-minute load average.
//
//   npx tsx packages/common/scripts/bench-accelerate.ts [--models cnn,vit-tiny] [--batch 64] [--steps 20] [--rounds 3]
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend';
import type { Batch, BatchSource } from '../src/data';
import { createModel } from '../src/models';
import { Adam, classificationModule, DataParallelStrategy, Trainer, type Replica } from '../src/training';

const MODELS: Record<string, string> = { cnn: 'reference-cnn', 'vit-tiny': 'vit-tiny' };
// workers x wasm threads; 1x1 is the one-core baseline both others are measured against.
const SETTINGS = ['1x1', '1x2', '2x1'] as const;
type Setting = (typeof SETTINGS)[number];
const WARMUP = 3;

interface BenchArgs {
  model: string;
  batch: number;
  steps: number;
}

/** `steps` copies of one fixed random batch of Fashion-MNIST-shaped images. */
function randomBatches(batch: number, steps: number): BatchSource {
  const x = tf.tidy(() => tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1));
  const y = tf.tidy(() => tf.randomUniform([batch], 0, 10, 'int32', 2));
  return {
    batchesPerEpoch: steps,
    size: batch * steps,
    async *batches(): AsyncGenerator<Batch> {
      for (let i = 0; i < steps; i++) yield { x: x.clone(), y: y.clone() };
    },
  };
}

/** The replica factory rank 1 calls in its worker thread. */
export function benchReplica(args: unknown): Replica {
  const a = args as BenchArgs;
  const model = createModel(MODELS[a.model]);
  return {
    module: classificationModule(model),
    train: randomBatches(a.batch, WARMUP + a.steps),
    trainer: { maxEpochs: 1, optimizer: new Adam({ lr: 1e-3 }) },
    dispose: () => model.dispose(),
  };
}

/** Child: trains WARMUP + steps batches in one setting; prints {img_s}. */
async function child(setting: Setting, args: BenchArgs): Promise<void> {
  if (setting !== '1x2') process.env.RESEARCH_WASM_THREADS = '0';
  const info = await initBackend('wasm', { log: () => undefined });
  const model = createModel(MODELS[args.model]);
  const strategy =
    setting === '2x1'
      ? new DataParallelStrategy({ worldSize: 2, replica: { module: __filename, export: 'benchReplica', args } })
      : undefined;
  let started = 0;
  let steps = 0;
  let atWarmup = { ...strategy?.timings };
  const trainer = new Trainer({
    maxEpochs: 1,
    optimizer: new Adam({ lr: 1e-3 }),
    strategy,
    callbacks: [
      {
        onTrainBatchEnd: (_t, _m, batch) => {
          if (batch.batchIndex + 1 === WARMUP) {
            started = performance.now();
            atWarmup = { ...strategy?.timings };
          } else if (batch.batchIndex >= WARMUP) steps++;
        },
      },
      ...(strategy ? [strategy.callback()] : []),
    ],
  });
  await trainer.fit(classificationModule(model), randomBatches(args.batch, WARMUP + args.steps));
  const seconds = (performance.now() - started) / 1000;
  // 2x1: rank 0's milliseconds per timed step computing its shard, waiting for rank 1, averaging the gradients.
  const t = strategy?.timings;
  const per = (key: 'computeMs' | 'waitMs' | 'averageMs') =>
    t ? Math.round((t[key] - (atWarmup[key] ?? 0)) / steps) : undefined;
  const parts = { compute_ms: per('computeMs'), wait_ms: per('waitMs'), average_ms: per('averageMs') };
  console.log(JSON.stringify({ img_s: (args.batch * steps) / seconds, threads: info.threads, ...parts }));
}

function parseArgs(argv: string[]) {
  const opts = {
    models: Object.keys(MODELS),
    batch: 64,
    steps: 20,
    rounds: 3,
    child: undefined as Setting | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench-accelerate: ${arg} needs a value`);
      return v;
    };
    if (arg === '--models') opts.models = value().split(',');
    else if (arg === '--batch') opts.batch = Number(value());
    else if (arg === '--steps') opts.steps = Number(value());
    else if (arg === '--rounds') opts.rounds = Number(value());
    else if (arg === '--child') opts.child = value() as Setting;
    else throw new Error(`bench-accelerate: unknown argument '${arg}' (expected --models, --batch, --steps, --rounds)`);
  }
  for (const m of opts.models)
    if (!(m in MODELS))
      throw new Error(`bench-accelerate: unknown model '${m}'; expected ${Object.keys(MODELS).join(', ')}`);
  for (const k of ['batch', 'steps', 'rounds'] as const)
    if (!(Number.isInteger(opts[k]) && opts[k] >= 1))
      throw new Error(`bench-accelerate: --${k} must be an integer >= 1`);
  if (opts.child !== undefined && !SETTINGS.includes(opts.child))
    throw new Error(`bench-accelerate: --child must be one of ${SETTINGS.join(', ')}`);
  return opts;
}

interface Measurement {
  img_s: number;
  compute_ms?: number;
  wait_ms?: number;
  average_ms?: number;
}

function measure(setting: Setting, model: string, batch: number, steps: number): Measurement {
  const args = ['--child', setting, '--models', model, '--batch', String(batch), '--steps', String(steps)];
  const out = spawnSync(process.execPath, ['-r', 'tsx/cjs', __filename, ...args], { encoding: 'utf8' });
  const line = out.stdout.split('\n').find((l) => l.startsWith('{'));
  if (out.status !== 0 || !line) throw new Error(`bench-accelerate: the ${setting} child failed:\n${out.stderr}`);
  return JSON.parse(line) as Measurement;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) return child(opts.child, { model: opts.models[0], batch: opts.batch, steps: opts.steps });
  console.log(`${os.cpus().length} cores; training img/s at batch ${opts.batch}, ${opts.steps} timed steps each`);
  console.log(
    'model     round   1 worker x 1 thread  1 worker x 2 threads  2 workers x 1 thread  load (1 min)  ' +
      '2x1 rank 0 ms/step: shard, wait, average',
  );
  for (const model of opts.models) {
    const best: Record<Setting, number> = { '1x1': 0, '1x2': 0, '2x1': 0 };
    for (let round = 1; round <= opts.rounds; round++) {
      const load = os.loadavg()[0];
      const r = Object.fromEntries(SETTINGS.map((s) => [s, measure(s, model, opts.batch, opts.steps)])) as Record<
        Setting,
        Measurement
      >;
      for (const s of SETTINGS) best[s] = Math.max(best[s], r[s].img_s);
      const d = r['2x1'];
      console.log(
        `${model.padEnd(9)} ${String(round).padStart(5)}  ${r['1x1'].img_s.toFixed(0).padStart(20)}  ` +
          `${r['1x2'].img_s.toFixed(0).padStart(20)}  ` +
          `${d.img_s.toFixed(0).padStart(20)}  ${load.toFixed(1).padStart(12)}  ${d.compute_ms}, ${d.wait_ms}, ${d.average_ms}`,
      );
    }
    console.log(
      `${model.padEnd(9)}  best  ${best['1x1'].toFixed(0).padStart(20)}  ${best['1x2'].toFixed(0).padStart(20)}  ` +
        `${best['2x1'].toFixed(0).padStart(20)}  2x1 / 1x2 ${(best['2x1'] / best['1x2']).toFixed(2)}, ` +
        `1x2 / 1x1 ${(best['1x2'] / best['1x1']).toFixed(2)}, 2x1 / 1x1 ${(best['2x1'] / best['1x1']).toFixed(2)}`,
    );
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
