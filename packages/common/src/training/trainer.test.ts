import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../data';
import { syntheticLoader, tinyMlp } from './__fixtures__/synthetic';
import {
  Adam,
  AdamW,
  EarlyStopping,
  MetricsLogger,
  ModelCheckpoint,
  NanGuard,
  ProgressBar,
  formatDuration,
  SGD,
  TensorBoardLogger,
  Trainer,
  classificationModule,
  crossEntropy,
  loadCheckpoint,
  loadModuleWeights,
  multiStepLR,
  seedEverything,
  unseedEverything,
  type Callback,
  type TrainModule,
} from '.';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-test-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  unseedEverything();
});

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

function freshModule(seed: number, dropout = 0): { model: tf.LayersModel; module: TrainModule } {
  seedEverything(seed);
  const model = tinyMlp(dropout);
  return { model, module: classificationModule(model) };
}

describe('Trainer.fit', () => {
  it('learns the synthetic task and records train/val metrics per epoch', async () => {
    const { module } = freshModule(1);
    const trainer = new Trainer({ maxEpochs: 6, optimizer: new Adam({ lr: 0.02 }), seed: 1 });
    const result = await trainer.fit(module, syntheticLoader(192, 1, 16), syntheticLoader(60, 2, 16, false));
    expect(result.history).toHaveLength(6);
    expect(Object.keys(result.history[0]).sort()).toEqual([
      'epoch',
      'global_step',
      'lr',
      'train_acc',
      'train_loss',
      'val_acc',
      'val_loss',
    ]);
    expect(result.history[5].global_step).toBe(6 * 12);
    expect(result.history[5].train_loss).toBeLessThan(result.history[0].train_loss * 0.8);
    expect(result.history[5].val_acc).toBeGreaterThan(0.6);
  });

  it('keeps tf.memory().numTensors flat across epochs', async () => {
    const { module } = freshModule(2);
    const counts: number[] = [];
    const probe: Callback = { onEpochEnd: () => void counts.push(tf.memory().numTensors) };
    const trainer = new Trainer({
      maxEpochs: 4,
      optimizer: new Adam({ lr: 0.01 }),
      callbacks: [probe],
      accumulateGradBatches: 2,
      gradClipNorm: 1,
    });
    await trainer.fit(module, syntheticLoader(40, 1, 8), syntheticLoader(20, 2, 8));
    expect(counts[1]).toBe(counts[0]);
    expect(counts[3]).toBe(counts[0]);
  });

  it('gives the same loss curve twice with the same seed (dropout included), another with another seed', async () => {
    const run = async (seed: number) => {
      const { module } = freshModule(seed, 0.3);
      const losses: number[] = [];
      const rec: Callback = { onTrainBatchEnd: (_t, _m, info) => void losses.push(info.loss) };
      await new Trainer({ maxEpochs: 2, optimizer: new SGD({ lr: 0.1, momentum: 0.9 }), seed, callbacks: [rec] }).fit(
        module,
        syntheticLoader(64, seed, 16),
      );
      return losses;
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
  });

  it('accumulating k batches of b equals one batch of k·b', async () => {
    const run = async (batchSize: number, k: number) => {
      const { model, module } = freshModule(3);
      await new Trainer({ maxEpochs: 2, optimizer: new SGD({ lr: 0.5, momentum: 0.9 }), accumulateGradBatches: k }).fit(
        module,
        syntheticLoader(48, 3, batchSize, false),
      );
      return weightsOf(model);
    };
    const big = await run(8, 1);
    const accumulated = await run(4, 2);
    accumulated.forEach((w, i) => expect(w).toBeCloseTo(big[i], 5));
    const unaccumulated = await run(4, 1);
    expect(Math.max(...unaccumulated.map((w, i) => Math.abs(w - big[i])))).toBeGreaterThan(1e-3);
  });

  it('clips the global gradient norm as torch.nn.utils.clip_grad_norm_', async () => {
    const { model, module } = freshModule(4);
    const norms: number[] = [];
    const before = weightsOf(model);
    const rec: Callback = { onTrainBatchEnd: (_t, _m, info) => void norms.push(info.gradNorm as number) };
    // One SGD step with lr 1: the update is the clipped gradient itself.
    await new Trainer({ maxEpochs: 1, optimizer: new SGD({ lr: 1 }), gradClipNorm: 0.01, callbacks: [rec] }).fit(
      module,
      syntheticLoader(8, 4, 8),
    );
    const after = weightsOf(model);
    const stepNorm = Math.sqrt(before.reduce((s, w, i) => s + (w - after[i]) ** 2, 0));
    expect(norms[0]).toBeGreaterThan(0.01);
    expect(stepNorm).toBeCloseTo((0.01 * norms[0]) / (norms[0] + 1e-6), 6);
  });

  it('sets the LR per step from the schedule', async () => {
    const { module } = freshModule(5);
    const lrs: number[] = [];
    const rec: Callback = { onTrainBatchEnd: (_t, _m, info) => void lrs.push(info.lr) };
    await new Trainer({
      maxEpochs: 2,
      optimizer: new SGD({ lr: 0.1 }),
      schedule: multiStepLR({ milestones: [2, 5], gamma: 0.5, interval: 'step' }),
      callbacks: [rec],
    }).fit(module, syntheticLoader(24, 5, 6));
    expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025]);
  });
});

/** Yields the given scalars as one-feature batches of the given sizes. */
function scalarSource(values: number[], sizes: number[]): BatchSource {
  return {
    batchesPerEpoch: sizes.length,
    size: values.length,
    async *batches(): AsyncGenerator<Batch> {
      let at = 0;
      for (const n of sizes) {
        yield { x: tf.tensor1d(values.slice(at, at + n)) };
        at += n;
      }
    },
  };
}

describe('Trainer.validate', () => {
  it('averages scalar batch means and per-example outputs exactly over an unequal last batch', async () => {
    const w = tf.variable(tf.scalar(1));
    const module: TrainModule = {
      variables: { w },
      trainingStep: (b) => ({ loss: b.x.mul(w).mean() as tf.Scalar }),
      validationStep: (b) => ({ mean_x: b.x.mean(), x: b.x.mul(1), x2: b.x.square() }),
    };
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const metrics = await new Trainer({ maxEpochs: 1, optimizer: new SGD({ lr: 0 }) }).validate(
      module,
      scalarSource(values, [4, 4, 2]),
    );
    expect(metrics.val_mean_x).toBeCloseTo(5.5, 6);
    expect(metrics.val_x).toBeCloseTo(5.5, 6);
    expect(metrics.val_x2).toBeCloseTo(38.5, 5);
    const test = await new Trainer({ maxEpochs: 1, optimizer: new SGD({ lr: 0 }) }).test(
      module,
      scalarSource(values, [3, 3, 3, 1]),
    );
    expect(test.test_mean_x).toBeCloseTo(5.5, 6);
    w.dispose();
  });
});

describe('callbacks', () => {
  it('NanGuard stops at the first non-finite loss term, names it, and leaves the weights unchanged', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    let calls = 0;
    const module: TrainModule = {
      variables: { w },
      trainingStep: (b) => {
        calls++;
        const mse = w.sub(b.x.mean()).square().mean() as tf.Scalar;
        const kl = (calls === 4 ? tf.scalar(NaN) : tf.scalar(0.5)).mul(w.sum()) as tf.Scalar;
        return { loss: mse.add(kl) as tf.Scalar, logs: { mse, kl } };
      },
    };
    const guard = new NanGuard();
    let weightsBeforeBad: number[] = [];
    const rec: Callback = { onTrainBatchEnd: () => void (weightsBeforeBad = Array.from(w.dataSync())) };
    const trainer = new Trainer({ maxEpochs: 3, optimizer: new SGD({ lr: 0.1 }), callbacks: [guard, rec] });
    const result = await trainer.fit(module, scalarSource([1, 2, 3, 4, 5, 6], [2, 2, 2]));
    expect(result.stopReason).toMatch(
      /NanGuard: non-finite loss term 'loss' = NaN, 'kl' = NaN at epoch 2, batch 1, global step 3/,
    );
    expect(result.history).toHaveLength(1);
    expect(result.globalStep).toBe(3);
    expect(Array.from(w.dataSync())).toEqual(weightsBeforeBad);
    w.dispose();
  });

  it('EarlyStopping stops after `patience` epochs without an improvement larger than minDelta', async () => {
    const { module } = freshModule(6);
    const stopper = new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.5 });
    const result = await new Trainer({ maxEpochs: 10, optimizer: new Adam({ lr: 0.01 }), callbacks: [stopper] }).fit(
      module,
      syntheticLoader(32, 6, 16),
      syntheticLoader(16, 7, 16),
    );
    expect(result.history).toHaveLength(3); // epoch 0 sets the best; 1 and 2 improve by less than 0.5
    expect(result.stopReason).toMatch(/early stopping: val_loss did not improve on .* by more than 0.5 for 2 epochs/);
    expect(() => new EarlyStopping({ monitor: 'val_loss', mode: 'maximum' as 'max' })).toThrow(
      /mode must be 'min' or 'max', got 'maximum'/,
    );
    const bad = new EarlyStopping({ monitor: 'val_accuracy' });
    await expect(
      new Trainer({ maxEpochs: 1, optimizer: new Adam(), callbacks: [bad] }).fit(
        module,
        syntheticLoader(16, 6, 16),
        syntheticLoader(16, 7, 16),
      ),
    ).rejects.toThrow(
      /monitor 'val_accuracy' is not in the epoch metrics \(available: epoch, global_step, lr, train_loss, train_acc, val_loss, val_acc\)/,
    );
  });

  it('MetricsLogger writes the history as CSV and JSON', async () => {
    const { module } = freshModule(7);
    const trainer = new Trainer({
      maxEpochs: 2,
      optimizer: new Adam({ lr: 0.01 }),
      callbacks: [new MetricsLogger()],
      runDir: dir,
    });
    const { history } = await trainer.fit(module, syntheticLoader(32, 7, 16), syntheticLoader(16, 8, 16));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'))).toEqual(history);
    const lines = fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,global_step,lr,train_loss,train_acc,val_loss,val_acc');
    expect(lines).toHaveLength(3);
    expect(Number(lines[2].split(',')[5])).toBe(history[1].val_loss);
    expect(fs.readdirSync(dir).sort()).toEqual(['metrics.csv', 'metrics.json']); // no temporary files left
  });

  it('ProgressBar prints periodic lines and epoch summaries off a TTY', async () => {
    const { module } = freshModule(8);
    let out = '';
    const stream = { write: (s: string) => ((out += s), true), isTTY: false } as unknown as NodeJS.WritableStream;
    await new Trainer({
      maxEpochs: 2,
      optimizer: new Adam(),
      logEveryNSteps: 2,
      callbacks: [new ProgressBar({ stream })],
    }).fit(module, syntheticLoader(30, 8, 6));
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2 * 4);
    expect(lines[0]).toMatch(/^epoch 1\/2 step 2\/5 loss \d+\.\d{4} [\d.]+ it\/s eta (\d+:)?\d+s?, fit (\d+:)?\d+s?$/);
    expect(lines[5]).toMatch(/^epoch 2\/2 step 4\/5 .* eta \S+, fit \S+$/);
    expect(lines[1]).toMatch(/^epoch 1\/2 step 4\/5 loss /);
    expect(lines[2]).toMatch(/^epoch 1\/2 step 5\/5 loss /);
    expect(lines[3]).toMatch(/^epoch 1\/2 done in [\d.]+ s: lr 0\.0010 train_loss \d+\.\d{4} train_acc \d\.\d{4}$/);
  });

  it('formatDuration writes an ETA as h:mm:ss, m:ss or seconds', () => {
    expect([formatDuration(3909), formatDuration(309), formatDuration(9.4), formatDuration(NaN)]).toEqual([
      '1:05:09',
      '5:09',
      '9s',
      '?',
    ]);
  });

  it('ProgressBar prints only the epoch metrics its filter keeps', async () => {
    const { module } = freshModule(8);
    let out = '';
    const stream = { write: (s: string) => ((out += s), true), isTTY: false } as unknown as NodeJS.WritableStream;
    const progress = new ProgressBar({ stream, epochMetrics: (name) => !name.startsWith('train_') });
    await new Trainer({ maxEpochs: 1, optimizer: new Adam(), logEveryNSteps: 10, callbacks: [progress] }).fit(
      module,
      syntheticLoader(30, 8, 6),
    );
    expect(out.trim().split('\n').pop()).toMatch(/^epoch 1\/1 done in [\d.]+ s: lr 0\.0010$/);
  });

  it('ProgressBar draws a cli-progress bar on a TTY', async () => {
    const { module } = freshModule(8);
    let out = '';
    const stream = {
      write: (s: string) => ((out += s), true),
      isTTY: true,
      columns: 120,
    } as unknown as NodeJS.WritableStream;
    await new Trainer({
      maxEpochs: 1,
      optimizer: new Adam(),
      callbacks: [new ProgressBar({ stream, mode: 'bar' })],
    }).fit(module, syntheticLoader(30, 8, 6));
    expect(out).toMatch(/epoch 1\/1 =+ 5\/5 loss \d+\.\d{4} [\d.]+ it\/s/);
    expect(out).toMatch(/\nepoch 1\/1 done in [\d.]+ s: lr 0\.0010 train_loss /);
  });

  it('ProgressBar prints lines instead of a bar when CI=true, even on a TTY', async () => {
    const { module } = freshModule(8);
    let out = '';
    const stream = { write: (s: string) => ((out += s), true), isTTY: true } as unknown as NodeJS.WritableStream;
    const saved = process.env.CI;
    process.env.CI = 'true';
    try {
      await new Trainer({
        maxEpochs: 1,
        optimizer: new Adam(),
        logEveryNSteps: 5,
        callbacks: [new ProgressBar({ stream })],
      }).fit(module, syntheticLoader(30, 8, 6));
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
    expect(out.split('\n')[0]).toMatch(/^epoch 1\/1 step 5\/5 loss \d+\.\d{4} [\d.]+ it\/s eta 0s, fit 0s$/);
  });

  it('TensorBoardLogger logs step scalars every logEveryNSteps and epoch metrics', async () => {
    const { module } = freshModule(9);
    const calls: [string, number, number][] = [];
    const writer = {
      addScalar: (t: string, v: number, s: number) => void calls.push([t, v, s]),
      flush: () => undefined,
      close: () => undefined,
    };
    await new Trainer({
      maxEpochs: 1,
      optimizer: new Adam(),
      logEveryNSteps: 2,
      gradClipNorm: 100,
      callbacks: [new TensorBoardLogger({ writer })],
    }).fit(module, syntheticLoader(24, 9, 6), syntheticLoader(12, 9, 6));
    const tags = calls.map(([t, , s]) => `${t}@${s}`);
    expect(tags.filter((t) => t.startsWith('train/loss'))).toEqual(['train/loss@2', 'train/loss@4']);
    expect(tags).toContain('train/acc@2');
    expect(tags).toContain('train/lr@4');
    expect(tags).toContain('train/grad_norm@4');
    expect(tags).toContain('epoch/val_acc@1'); // epoch numbers count from 1, as in metrics.json
    // The real SummaryWriter writes an event file under <runDir>/tensorboard.
    await new Trainer({ maxEpochs: 1, optimizer: new Adam(), runDir: dir, callbacks: [new TensorBoardLogger()] }).fit(
      module,
      syntheticLoader(12, 9, 6),
    );
    expect(fs.readdirSync(path.join(dir, 'tensorboard')).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
  });
});

describe('checkpoints and resume', () => {
  it('a run resumed from its epoch-2 checkpoint ends exactly like an uninterrupted run', async () => {
    const train = () => syntheticLoader(48, 11, 8);
    const val = () => syntheticLoader(24, 12, 8);
    const trainerFor = (maxEpochs: number, runDir: string) =>
      new Trainer({
        maxEpochs,
        optimizer: new AdamW({ lr: 0.01 }),
        schedule: multiStepLR({ milestones: [3], gamma: 0.3 }),
        seed: 11,
        runDir,
        callbacks: [
          new ModelCheckpoint({ monitor: 'val_loss' }),
          new EarlyStopping({ monitor: 'val_loss', patience: 10 }),
        ],
      });
    const full = freshModule(11, 0.2);
    const fullResult = await trainerFor(5, path.join(dir, 'full')).fit(full.module, train(), val());

    const first = freshModule(11, 0.2);
    await trainerFor(2, path.join(dir, 'part')).fit(first.module, train(), val());
    const resumed = freshModule(99, 0.2); // different initial weights: all must come from the checkpoint
    const last = path.join(dir, 'part', 'checkpoints', 'last.safetensors');
    const trainer = trainerFor(5, path.join(dir, 'part'));
    const resumedResult = await trainer.fit(resumed.module, train(), val(), { resumeFrom: last });

    expect(resumedResult.history).toEqual(fullResult.history);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(full.model));
    const ckpt = loadCheckpoint(path.join(dir, 'part', 'checkpoints', 'best.safetensors'));
    const best = Math.min(...fullResult.history.map((r) => r.val_loss));
    expect(ckpt.state.history[ckpt.state.epoch - 1].val_loss).toBe(best);
    expect(
      Object.keys(ckpt.tensors)
        .filter((k) => k.startsWith('optimizer/'))
        .sort(),
    ).toEqual(
      ['model/0', 'model/1', 'model/2', 'model/3'].flatMap((p) => [
        `optimizer/${p}/exp_avg`,
        `optimizer/${p}/exp_avg_sq`,
      ]),
    );
    tf.dispose(ckpt.tensors);
  });

  it('loadModuleWeights puts the best weights into a fresh module, which then validates as the best epoch did', async () => {
    const { module } = freshModule(13);
    const runDir = path.join(dir, 'run');
    const val = () => syntheticLoader(24, 14, 8);
    const result = await new Trainer({
      maxEpochs: 3,
      optimizer: new Adam({ lr: 0.05 }),
      runDir,
      callbacks: [new ModelCheckpoint({ monitor: 'val_acc', mode: 'max' })],
    }).fit(module, syntheticLoader(48, 13, 8), val());
    const fresh = freshModule(77).module;
    const state = loadModuleWeights(fresh, path.join(runDir, 'checkpoints', 'best.safetensors'));
    const bestEpoch = state.epoch - 1;
    expect(result.history[bestEpoch].val_acc).toBe(Math.max(...result.history.map((r) => r.val_acc)));
    const metrics = await new Trainer({ maxEpochs: 1, optimizer: new Adam() }).validate(fresh, val());
    expect(metrics.val_loss).toBeCloseTo(result.history[bestEpoch].val_loss, 6);
  });

  it('rejects a checkpoint that does not fit the module or is corrupt, naming the problem', async () => {
    const { module } = freshModule(12);
    const runDir = path.join(dir, 'run');
    await new Trainer({ maxEpochs: 1, optimizer: new Adam(), runDir, callbacks: [new ModelCheckpoint()] }).fit(
      module,
      syntheticLoader(8, 1, 8),
    );
    const last = path.join(runDir, 'checkpoints', 'last.safetensors');
    const wider = classificationModule(
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [4, 4, 1] }),
          tf.layers.dense({ units: 8 }),
          tf.layers.dense({ units: 3 }),
        ],
      }),
    );
    await expect(
      new Trainer({ maxEpochs: 2, optimizer: new Adam() }).fit(wider, syntheticLoader(8, 1, 8), undefined, {
        resumeFrom: last,
      }),
    ).rejects.toThrow(/weight 'model\/model\/0' \(.*kernel\) has shape \[16,16\], the module's is \[16,8\]/);
    await expect(
      new Trainer({ maxEpochs: 2, optimizer: new SGD({ lr: 0.1 }) }).fit(module, syntheticLoader(8, 1, 8), undefined, {
        resumeFrom: last,
      }),
    ).rejects.toThrow(/cannot load 'adam' state into a 'sgd' optimizer/);
    const bytes = fs.readFileSync(last);
    const truncated = path.join(dir, 'truncated.safetensors');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
    expect(() => loadCheckpoint(truncated)).toThrow(/truncated\.safetensors/);
    expect(() => loadCheckpoint(path.join(dir, 'missing.safetensors'))).toThrow(/missing\.safetensors does not exist/);
    const before = weightsOf(wider.models!.model);
    expect(() => loadModuleWeights(wider, last)).toThrow(/has shape \[16,16\], the module's is \[16,8\]/);
    expect(weightsOf(wider.models!.model)).toEqual(before); // nothing assigned on a mismatch
  });
});

it('classificationModule names a missing batch key', () => {
  const module = classificationModule(tinyMlp(), {
    loss: (l, y) => crossEntropy(l, y, { labelSmoothing: 0.1 }) as tf.Scalar,
  });
  expect(() =>
    module.trainingStep({ image: tf.zeros([1, 4, 4, 1]) }, { epoch: 0, batchIndex: 0, globalStep: 0, stage: 'train' }),
  ).toThrow(/batch has no 'x' \(keys: image\)/);
});
