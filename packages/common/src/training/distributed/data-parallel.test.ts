// Data-parallel training through the one Trainer, rank 0 in this thread and rank 1 in a worker thread (cpu backend
// in both): the loss curve of 2 ranks equals the 1-rank run on the same global batches, both ranks hold identical
// weights after every step, rank 0 alone writes checkpoints and a resumed 2-rank fit ends where an uninterrupted one
// does, and rank 0 leaks no tensors.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { syntheticLoader } from '../__fixtures__/synthetic';
import { ModelCheckpoint } from '../callbacks';
import { classificationModule } from '../module';
import { Adam } from '../optim';
import { Trainer } from '../trainer';
import { hashRecorder, mlpModel, type MlpReplicaArgs } from './__fixtures__/mlp-replica';
import { DataParallelStrategy, shardRange } from './data-parallel';

const FIXTURE = path.join(__dirname, '__fixtures__', 'mlp-replica.ts');
// 100 examples in batches of 15: 6 full batches and one of 10; shards of 7/8 and 5/5 rows.
const ARGS = { seed: 3, examples: 100, batchSize: 15 };

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ddp-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  losses: number[];
  accs: number[];
  hashes: string[];
  workerHashes?: string[];
  workerTensors?: number[];
  weights: number[][];
  checkpoints: string[];
}

async function fit(
  worldSize: number,
  epochs: number,
  opts: { runDir?: string; resumeFrom?: string; batchNorm?: boolean } = {},
) {
  const model = mlpModel(ARGS.seed, opts.batchNorm);
  const hashesFile = path.join(tmp, `hashes-${Math.random()}.json`);
  const args: MlpReplicaArgs = { ...ARGS, epochs, hashesFile, batchNorm: opts.batchNorm };
  const strategy =
    worldSize === 1
      ? undefined
      : new DataParallelStrategy({ worldSize, replica: { module: FIXTURE, export: 'mlpReplica', args } });
  const run: Run = { losses: [], accs: [], hashes: [], weights: [], checkpoints: [] };
  const callbacks = [
    {
      onTrainBatchEnd: (_t: unknown, _m: unknown, info: { loss: number; logs: Record<string, number> }) => {
        run.losses.push(info.loss);
        run.accs.push(info.logs.acc);
      },
    },
    hashRecorder(model, run.hashes),
    ...(opts.runDir ? [new ModelCheckpoint({ monitor: 'train_loss', mode: 'min' })] : []),
    ...(strategy ? [strategy.callback()] : []),
  ];
  const optimizer = new Adam({ lr: 0.01 });
  const trainer = new Trainer({
    maxEpochs: epochs,
    optimizer,
    seed: ARGS.seed,
    strategy,
    callbacks,
    runDir: opts.runDir,
  });
  await trainer.fit(classificationModule(model), syntheticLoader(ARGS.examples, 1, ARGS.batchSize), undefined, {
    resumeFrom: opts.resumeFrom,
  });
  run.weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  if (strategy) {
    const worker = JSON.parse(fs.readFileSync(hashesFile, 'utf8')) as { hashes: string[]; tensors: number[] };
    run.workerHashes = worker.hashes;
    run.workerTensors = worker.tensors;
  }
  if (opts.runDir) run.checkpoints = fs.readdirSync(path.join(opts.runDir, 'checkpoints')).sort();
  model.dispose();
  optimizer.dispose();
  return run;
}

it('splits a global batch into contiguous shards covering every row once', () => {
  expect([0, 1, 2].map((r) => shardRange(10, r, 3))).toEqual([
    [0, 3],
    [3, 6],
    [6, 10],
  ]);
  expect(shardRange(1, 0, 2)).toEqual([0, 0]);
});

it('2 ranks: the loss curve of 1 rank, identical weights on both ranks after every step, no leaked tensor', async () => {
  const one = await fit(1, 2);
  const before = tf.memory().numTensors;
  const two = await fit(2, 2);
  expect(tf.memory().numTensors).toBe(before);
  expect(two.losses).toHaveLength(14);
  two.losses.forEach((loss, i) => expect(loss).toBeCloseTo(one.losses[i], 5));
  two.accs.forEach((acc, i) => expect(acc).toBeCloseTo(one.accs[i], 6));
  expect(one.losses[13]).toBeLessThan(one.losses[0]); // it learns: the comparison is not of constant curves
  // The averaged gradients are applied by each rank: bit-identical weights on both after each of the 14 steps.
  expect(two.workerHashes).toEqual(two.hashes);
  // Rank 1 holds as many tensors after its last step as after its second (once the optimizer's slots exist).
  expect(two.workerTensors?.[13]).toBe(two.workerTensors?.[1]);
  two.weights.flat().forEach((w, i) => expect(w).toBeCloseTo(one.weights.flat()[i], 4));
}, 60_000);

it('rank 0 alone writes checkpoints, and a resumed 2-rank fit ends where an uninterrupted one does', async () => {
  const full = await fit(2, 3, { runDir: path.join(tmp, 'full') });
  const killedDir = path.join(tmp, 'interrupted');
  const first = await fit(2, 2, { runDir: killedDir });
  expect(first.checkpoints).toEqual(full.checkpoints);
  expect(full.checkpoints).toEqual(['best.safetensors', 'last.safetensors']);
  const resumed = await fit(2, 3, {
    runDir: killedDir,
    resumeFrom: path.join(killedDir, 'checkpoints', 'last.safetensors'),
  });
  expect(resumed.losses).toEqual(full.losses.slice(14));
  expect(resumed.workerHashes).toEqual(resumed.hashes);
  expect(resumed.weights).toEqual(full.weights);
}, 60_000);

it("with BatchNorm, rank 0's running statistics are broadcast: identical weights on both ranks, no leaked tensor", async () => {
  const before = tf.memory().numTensors;
  const bn = await fit(2, 1, { batchNorm: true });
  expect(tf.memory().numTensors).toBe(before);
  expect(bn.workerHashes).toHaveLength(7);
  expect(bn.workerHashes).toEqual(bn.hashes);
  expect(bn.workerTensors?.[6]).toBe(bn.workerTensors?.[1]);
}, 60_000);

it("a worker's failure ends rank 0's fit with the worker's message", async () => {
  const model = mlpModel(ARGS.seed);
  const strategy = new DataParallelStrategy({ worldSize: 2, replica: { module: FIXTURE, export: 'failingReplica' } });
  const trainer = new Trainer({ maxEpochs: 1, optimizer: new Adam({ lr: 0.01 }), strategy });
  await expect(
    trainer.fit(classificationModule(model), syntheticLoader(ARGS.examples, 1, ARGS.batchSize)),
  ).rejects.toThrow(/data-parallel rank 1 failed: Error: the data folder is not mounted on this worker/);
  await strategy.dispose();
  model.dispose();
}, 60_000);
