// End to end on the embedded Fashion-MNIST sample with a tiny HRNet: train -> checkpoint -> valid -> analyze.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PassThrough } from 'stream';
import { initBackend, readDiagramsFile } from '@research/common';
import { analyzeCheckpoint } from '../src/analysis';
import { loadExperiment } from '../src/config';
import { evaluateCheckpoint } from '../src/evaluate';
import { trainExperiment } from '../src/run';
import { rankRuns, readRunSummary } from '../src/topology/rank';

const TINY = path.join(__dirname, '..', 'src', '__fixtures__', 'tiny_32x32.yaml');
let assets: string;
const savedAssets = process.env.RESEARCH_ASSETS_DIR;

beforeAll(async () => {
  assets = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-e2e-'));
  process.env.RESEARCH_ASSETS_DIR = assets; // no datasets there: Fashion-MNIST falls back to the embedded sample
  await initBackend('wasm', { log: () => undefined, env: { RESEARCH_WASM_THREADS: '0' } });
});

afterAll(() => {
  if (savedAssets === undefined) delete process.env.RESEARCH_ASSETS_DIR;
  else process.env.RESEARCH_ASSETS_DIR = savedAssets;
  fs.rmSync(assets, { recursive: true, force: true });
});

it('trains with the topology monitor and regulariser, then valid and analyze agree with the run', async () => {
  // 16 of the 32 training images per epoch, drawn afresh each epoch: two batches of 8 per epoch, whose gradients are
  // accumulated into one optimizer step.
  const experiment = loadExperiment(TINY, ['TRAIN.SAMPLES_PER_EPOCH=16', 'TRAIN.BATCH_SIZE_PER_GPU=8', 'TRAIN.ACCUMULATE_GRAD_BATCHES=2']);
  const progress = new PassThrough();
  let log = '';
  progress.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const result = await trainExperiment({ experiment, name: 'tiny', progress });

  // Layout of the run directory under <RESEARCH_ASSETS_DIR>/outputs/hrnet/<experiment>/<timestamp>.
  expect(path.dirname(result.runDir)).toBe(path.join(assets, 'outputs', 'hrnet', 'tiny'));
  for (const f of ['config.yaml', 'run.json', 'results.json', 'metrics.json', 'metrics.csv', 'checkpoints/best.safetensors', 'checkpoints/last.safetensors']) {
    expect(fs.existsSync(path.join(result.runDir, f))).toBe(true);
  }
  expect(fs.readdirSync(path.join(result.runDir, 'tensorboard')).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
  expect(fs.existsSync(path.join(result.runDir, 'topology', 'epoch_001', 'pooled_val.png'))).toBe(true);
  expect(log).toMatch(/epoch 2\/2 done in/);
  expect(log).toContain('embedded sample');

  const history = JSON.parse(fs.readFileSync(path.join(result.runDir, 'metrics.json'), 'utf8')) as Record<string, number>[];
  expect(history).toHaveLength(2);
  for (const row of history) {
    expect(row['topo/stage4.b3/bottleneck_h1']).toBeGreaterThanOrEqual(0);
    expect(row.topo_score).toBeCloseTo(row.val_acc - row.topo_gap, 10);
    expect(Number.isFinite(row.train_topo)).toBe(true); // the regulariser's term is logged
  }
  expect(history.map((row) => row.global_step)).toEqual([1, 2]); // optimizer steps: [2, 4] without accumulation
  expect(history[0].lr).toBe(0.05);
  expect(history[1].lr).toBeCloseTo(0.005, 12); // LR_STEP [1], LR_FACTOR 0.1
  // ModelCheckpoint kept the epoch with the best topo_score.
  const best = history.reduce((a, b) => (b.topo_score > a.topo_score ? b : a));
  expect(result.bestEpoch).toBe(best.epoch);
  expect(log).toContain(`best epoch ${best.epoch + 1}/2 by topo_score`); // progress lines count epochs from 1
  expect(result.topoGap).toBe(best.topo_gap);
  expect(result.test.n).toBe(24);
  expect(result.generalizationGap).toBeCloseTo(result.trainEval.top1 - result.test.top1, 12);

  // valid: the best checkpoint on the test split gives the run's own test figures.
  const valid = await evaluateCheckpoint(experiment, result.bestCheckpoint);
  expect(valid.n).toBe(24);
  expect(valid.top1).toBeCloseTo(result.test.top1, 10);
  expect(valid.top5).toBeCloseTo(result.test.top5, 10);
  expect(valid.loss).toBeCloseTo(result.test.loss, 4);
  expect(valid.top5).toBeGreaterThanOrEqual(valid.top1);

  // analyze: same probes and weights as the monitor at the best epoch, so the same distances.
  const report = await analyzeCheckpoint(experiment, 'tiny', result.bestCheckpoint);
  expect(report.dir).toBe(path.join(result.runDir, 'analysis'));
  expect(report.measurement.metrics.topo_gap).toBeCloseTo(best.topo_gap, 6);
  const table = JSON.parse(fs.readFileSync(path.join(report.dir, 'distances.json'), 'utf8')) as { layers: { layer: string; wasserstein_h0: number }[] };
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
  const [summary] = rankRuns([readRunSummary(result.runDir)]);
  expect(summary.topoGap).toBe(best.topo_gap);
  expect(summary.testTop1).toBe(result.test.top1);
});
