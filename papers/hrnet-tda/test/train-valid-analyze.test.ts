// End to end on the embedded Fashion-MNIST sample with a tiny HRNet through common's run layer: train ->
// checkpoint -> evaluate (the `valid` target) -> analyze -> rank.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateRun, readDiagramsFile, trainRun } from '@research/common';
import { analyzeCheckpoint } from '../src/analysis';
import { hrnetApp } from '../src/app';
import { loadExperiment } from '../src/config';
import { rankRuns, readRunSummary } from '../src/topology/rank';

const TINY = path.join(__dirname, '..', 'src', '__fixtures__', 'tiny_32x32.yaml');
let assets: string;
const savedAssets = process.env.RESEARCH_ASSETS_DIR;

beforeAll(async () => {
  assets = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-e2e-'));
  process.env.RESEARCH_ASSETS_DIR = assets; // no datasets there: Fashion-MNIST falls back to the embedded sample
  process.env.RESEARCH_WASM_THREADS = '0';
});

afterAll(() => {
  if (savedAssets === undefined) delete process.env.RESEARCH_ASSETS_DIR;
  else process.env.RESEARCH_ASSETS_DIR = savedAssets;
  fs.rmSync(assets, { recursive: true, force: true });
});

it('trains with the topology monitor and regulariser, then valid and analyze agree with the run', async () => {
  // 16 of the 32 training images per epoch, drawn afresh each epoch: two batches of 8 per epoch, whose gradients are
  // accumulated into one optimizer step.
  const overrides = [
    'BACKEND=wasm',
    'TRAIN.SAMPLES_PER_EPOCH=16',
    'TRAIN.BATCH_SIZE_PER_GPU=8',
    'TRAIN.ACCUMULATE_GRAD_BATCHES=2',
  ];
  const lines: string[] = [];
  const { runDir, results } = await trainRun(hrnetApp, {
    config: TINY,
    overrides,
    progress: false,
    log: (line) => lines.push(line),
  });
  const log = lines.join('\n');

  // Layout of the run directory under <RESEARCH_ASSETS_DIR>/outputs/hrnet/<NAME>/<timestamp>.
  expect(path.dirname(runDir)).toBe(path.join(assets, 'outputs', 'hrnet', 'tiny'));
  for (const f of [
    'config.yaml',
    'run.json',
    'results.json',
    'metrics.json',
    'metrics.csv',
    'curves.png',
    'confusion_matrix.png',
    'checkpoints/best.safetensors',
    'checkpoints/last.safetensors',
  ]) {
    expect([f, fs.existsSync(path.join(runDir, f))]).toEqual([f, true]);
  }
  expect(fs.readdirSync(path.join(runDir, 'tensorboard')).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
  expect(fs.existsSync(path.join(runDir, 'topology', 'epoch_001', 'pooled_val.png'))).toBe(true);
  expect(log).toContain('embedded sample');
  expect(JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8')).status).toBe('finished');

  const history = JSON.parse(fs.readFileSync(path.join(runDir, 'metrics.json'), 'utf8')) as Record<string, number>[];
  expect(history).toHaveLength(2);
  for (const row of history) {
    expect(row['topo/stage4.b3/bottleneck_h1']).toBeGreaterThanOrEqual(0);
    expect(row.topo_score).toBeCloseTo(row.val_acc - row.topo_gap, 10);
    expect(Number.isFinite(row.train_topo)).toBe(true); // the regulariser's term is logged
  }
  expect(history.map((row) => row.global_step)).toEqual([1, 2]); // optimizer steps: [2, 4] without accumulation
  expect(history[0].lr).toBe(0.05);
  expect(history[1].lr).toBeCloseTo(0.005, 12); // LR_STEP [1], LR_FACTOR 0.1
  // ModelCheckpoint kept the epoch with the best topo_score; epochs count from 1 in files and progress lines alike.
  const best = history.reduce((a, b) => (b.topo_score > a.topo_score ? b : a));
  expect(history.map((row) => row.epoch)).toEqual([1, 2]);
  expect(results.best_epoch).toBe(best.epoch);
  expect(results.topo_gap).toBe(best.topo_gap);
  expect(results.generalization_gap).toBeCloseTo((results.train_eval_acc as number) - (results.test_acc as number), 12);

  // evaluate (the `valid` target): the best checkpoint, with the run's saved config, gives the run's own test figures.
  const bestCheckpoint = path.join(runDir, 'checkpoints', 'best.safetensors');
  const valid = (await evaluateRun(hrnetApp, { target: runDir, log: () => undefined })).results;
  expect(valid.checkpoint).toBe(bestCheckpoint);
  for (const key of ['test_acc', 'test_top5', 'train_eval_acc'])
    expect(valid[key]).toBeCloseTo(results[key] as number, 10);
  expect(valid.test_loss).toBeCloseTo(results.test_loss as number, 4);
  expect(valid.test_top5).toBeGreaterThanOrEqual(valid.test_acc as number);
  expect(fs.existsSync(path.join(runDir, 'evaluation_best', 'results.json'))).toBe(true);

  // analyze: same probes and weights as the monitor at the best epoch, so the same distances.
  const experiment = loadExperiment(TINY, overrides);
  const report = await analyzeCheckpoint(experiment, bestCheckpoint);
  expect(report.dir).toBe(path.join(runDir, 'analysis'));
  expect(report.measurement.metrics.topo_gap).toBeCloseTo(best.topo_gap, 6);
  const table = JSON.parse(fs.readFileSync(path.join(report.dir, 'distances.json'), 'utf8')) as {
    layers: { layer: string; wasserstein_h0: number }[];
  };
  expect(table.layers).toHaveLength(11);
  for (const row of table.layers) expect(row.wasserstein_h0).toBeCloseTo(best[`topo/${row.layer}/wasserstein_h0`], 6);
  expect(fs.readFileSync(path.join(report.dir, 'distances.md'), 'utf8')).toMatch(/\| pooled \| 2048 \|/);
  const pooledTrain = path.join(report.dir, 'diagrams', 'pooled.train.json');
  expect(fs.readFileSync(pooledTrain, 'utf8')).toContain('"inf"');
  const diagrams = readDiagramsFile(pooledTrain);
  expect(diagrams.map((d) => d.dim)).toEqual([0, 1]);
  expect(diagrams[0].pairs).toHaveLength(12); // one H0 class per probe image (12 samples), one of them essential
  expect(fs.existsSync(path.join(report.dir, 'plots', 'stage3.b2_val_barcode.png'))).toBe(true);

  // rank: the run reads back as a summary.
  const [summary] = rankRuns([readRunSummary(runDir)]);
  expect(summary.topoGap).toBe(best.topo_gap);
  expect(summary.testTop1).toBe(results.test_acc);
});
