// One training run of an experiment: the experiment file mapped onto the common Trainer, with the topology monitor,
// topology-guided checkpoint selection / early stopping and the optional topological regulariser.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { stringify as toYaml } from 'yaml';
import {
  Adam, type BatchSource, type Callback, EarlyStopping, type LRSchedule, MetricsLogger, ModelCheckpoint, ProgressBar, SGD,
  SummaryWriter, TensorBoardLogger, Trainer, type TorchOptimizer, activeBackend, assignModuleWeights, describeBackend,
  loadCheckpoint, multiStepLR, constantLR, outputsDir, seedEverything, type EpochRecord, type TrainModule,
  writeFileAtomic,
} from '@research/common';
import type { HrnetExperiment } from './config';
import { type ExperimentData, loadExperimentData, probeBatch } from './data';
import { buildHrnet } from './model/hrnet';
import { hrnetModule } from './module';
import { monitoredLayers } from './topology/activations';
import { TopologyMonitor } from './topology/monitor';

export interface TrainRunOptions {
  experiment: HrnetExperiment;
  /** Experiment short name: the run goes to <outputs>/hrnet/<name>/<timestamp> unless runDir is given. */
  name: string;
  runDir?: string;
  /** Checkpoint folder (default <runDir>/checkpoints). */
  modelDir?: string;
  /** TensorBoard folder (default <runDir>/tensorboard). */
  logDir?: string;
  dataDir?: string;
  /** Where progress lines go (default stderr). */
  progress?: NodeJS.WritableStream;
  /** Recorded in run.json. */
  command?: string;
}

export interface TrainRunResult {
  runDir: string;
  bestCheckpoint: string;
  lastCheckpoint: string;
  select: string;
  bestEpoch: number;
  epochs: number;
  stopReason?: string;
  history: EpochRecord[];
  /** The best checkpoint on the test split. */
  test: { loss: number; top1: number; top5: number; n: number };
  /** The best checkpoint on a fixed training subset (evaluation transform), for the generalisation gap. */
  trainEval: { loss: number; top1: number; n: number };
  /** trainEval.top1 - test.top1. */
  generalizationGap: number;
  /** topo_gap at the best epoch (NaN when not measured). */
  topoGap: number;
  seconds: number;
  /** Training images per wall-clock second of the whole fit (validation and topology measurements included). */
  trainImagesPerSecond: number;
}

export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/** JSON with Infinity written as "inf" (JSON has no Infinity), through a temporary name. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, (_k, v: unknown) => (v === Infinity ? 'inf' : v), 1) + '\n');
}

export function createOptimizerFor(exp: HrnetExperiment): TorchOptimizer {
  const t = exp.TRAIN;
  return t.OPTIMIZER === 'adam'
    ? new Adam({ lr: t.LR, weightDecay: t.WD })
    : new SGD({ lr: t.LR, momentum: t.MOMENTUM, nesterov: t.NESTEROV, weightDecay: t.WD });
}

/** The official MultiStepLR(LR_STEP, LR_FACTOR), per epoch. */
export function scheduleFor(exp: HrnetExperiment): LRSchedule {
  const milestones = exp.TRAIN.LR_STEP.filter((m) => m > 0);
  return milestones.length > 0 ? multiStepLR({ milestones, gamma: exp.TRAIN.LR_FACTOR }) : constantLR();
}

export function selectMode(select: HrnetExperiment['TOPO']['SELECT']): 'min' | 'max' {
  return select === 'val_acc' || select === 'topo_score' ? 'max' : 'min';
}

/** Copies only the classifier's weights (`model/<i>`) of a training checkpoint into `model`. */
export function loadClassifierWeights(model: tf.LayersModel, file: string): void {
  const ckpt = loadCheckpoint(file);
  try {
    const tensors = Object.fromEntries(Object.entries(ckpt.tensors).filter(([k]) => k.startsWith('model/model/')));
    assignModuleWeights({ models: { model } }, { ...ckpt, tensors }, file);
  } finally {
    tf.dispose(Object.values(ckpt.tensors));
  }
}

/** Mean loss / top-1 / top-5 of a module over a source. */
export async function evaluateSource(module: TrainModule, source: BatchSource): Promise<{ loss: number; top1: number; top5: number; n: number }> {
  const trainer = new Trainer({ maxEpochs: 1, optimizer: new SGD({ lr: 0 }) });
  const m = await trainer.test(module, source);
  return { loss: m.test_loss, top1: m.test_acc, top5: m.test_top5, n: source.size };
}

function evalSource(data: ExperimentData['test'], exp: HrnetExperiment, indices?: ArrayLike<number>): BatchSource {
  return data.source({ batchSize: exp.TEST.BATCH_SIZE_PER_GPU, augment: false, shuffle: false, seed: exp.TRAIN.SEED, indices });
}

export async function trainExperiment(opts: TrainRunOptions): Promise<TrainRunResult> {
  const exp = opts.experiment;
  const runDir = path.resolve(opts.runDir ?? path.join(outputsDir('hrnet'), opts.name, timestamp()));
  const checkpointDir = path.resolve(opts.modelDir ?? path.join(runDir, 'checkpoints'));
  const logDir = path.resolve(opts.logDir ?? path.join(runDir, 'tensorboard'));
  const progress = opts.progress ?? process.stderr;
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(path.join(runDir, 'config.yaml'), toYaml(exp));

  const data = loadExperimentData(exp, opts.dataDir);
  const backend = activeBackend();
  writeJsonAtomic(path.join(runDir, 'run.json'), {
    experiment: opts.name, command: opts.command, backend: backend ? describeBackend(backend) : tf.getBackend(), data: data.description,
    started: new Date().toISOString(),
  });
  progress.write(`[hrnet] run ${runDir}\n[hrnet] ${data.description}\n`);

  const seed = exp.TRAIN.SEED;
  seedEverything(seed);
  const { model, stageOutputs } = buildHrnet(exp.MODEL, { init: 'official', seed });
  const module = hrnetModule(model, { topoWeight: exp.TOPO.REG_WEIGHT });
  const train = data.train.source({
    batchSize: exp.TRAIN.BATCH_SIZE_PER_GPU, augment: true, shuffle: exp.TRAIN.SHUFFLE, seed,
    samplesPerEpoch: exp.TRAIN.SAMPLES_PER_EPOCH || undefined,
  });
  const val = evalSource(data.val, exp);

  const writer = new SummaryWriter(logDir);
  const topo = exp.TOPO;
  const samples = topo.MONITOR_EVERY > 0
    ? [await probeBatch(data.train, topo.SAMPLES, topo.SEED), await probeBatch(data.val, topo.SAMPLES, topo.SEED + 1)]
    : [];
  const callbacks: Callback[] = [];
  if (samples.length > 0) {
    callbacks.push(new TopologyMonitor({
      model, layers: monitoredLayers(stageOutputs), trainSample: samples[0].x, valSample: samples[1].x, everyNEpochs: topo.MONITOR_EVERY,
      reduction: topo.REDUCE === 'gap' ? { kind: 'gap' } : { kind: 'flatten', dims: topo.FLATTEN_DIMS, seed: topo.SEED },
      scoreWeight: topo.SCORE_WEIGHT, writer, plotDir: path.join(runDir, 'topology'),
    }));
  }
  const mode = selectMode(topo.SELECT);
  if (topo.EARLY_STOP_PATIENCE > 0) callbacks.push(new EarlyStopping({ monitor: topo.SELECT, mode, patience: topo.EARLY_STOP_PATIENCE }));
  const checkpoint = new ModelCheckpoint({ dir: checkpointDir, monitor: topo.SELECT, mode });
  // The 44 per-layer distances go to metrics.json and TensorBoard; the epoch line keeps topo_gap / topo_score.
  const epochMetrics = (name: string) => !name.startsWith('topo/');
  callbacks.push(new ProgressBar({ mode: 'lines', stream: progress, epochMetrics }), new TensorBoardLogger({ writer }), new MetricsLogger(), checkpoint);

  const trainer = new Trainer({
    maxEpochs: exp.TRAIN.END_EPOCH, optimizer: createOptimizerFor(exp), schedule: scheduleFor(exp), seed, runDir,
    accumulateGradBatches: exp.TRAIN.ACCUMULATE_GRAD_BATCHES,
    logEveryNSteps: Math.max(1, Math.min(exp.PRINT_FREQ, train.batchesPerEpoch)), callbacks,
  });
  const t0 = performance.now();
  let fit;
  try {
    fit = await trainer.fit(module, train, val);
  } finally {
    tf.dispose(samples.flatMap((s) => [s.x, s.y]));
  }
  const seconds = (performance.now() - t0) / 1000;

  const bestCheckpoint = checkpoint.bestPath(trainer);
  loadClassifierWeights(model, bestCheckpoint);
  const test = await evaluateSource(module, evalSource(data.test, exp));
  // The generalisation gap compares like with like: as many training examples as test examples, evaluation transform.
  const trainIndices = Int32Array.from({ length: Math.min(data.train.size, data.test.size) }, (_, i) => i);
  const trainEvalFull = await evaluateSource(module, evalSource(data.train, exp, trainIndices));
  const trainEval = { loss: trainEvalFull.loss, top1: trainEvalFull.top1, n: trainEvalFull.n };
  const bestEpoch = checkpoint.bestEpoch ?? fit.epochs - 1;
  const topoGap = fit.history.find((r) => r.epoch === bestEpoch)?.topo_gap ?? NaN;
  writer.addScalar('test/top1', test.top1, bestEpoch);
  writer.addScalar('test/top5', test.top5, bestEpoch);
  writer.close();

  const result: TrainRunResult = {
    runDir, bestCheckpoint, lastCheckpoint: checkpoint.lastPath(trainer), select: topo.SELECT, bestEpoch, epochs: fit.epochs,
    stopReason: fit.stopReason, history: fit.history, test, trainEval, generalizationGap: trainEval.top1 - test.top1, topoGap,
    seconds, trainImagesPerSecond: (fit.epochs * train.batchesPerEpoch * exp.TRAIN.BATCH_SIZE_PER_GPU) / seconds,
  };
  const { history: _history, ...summary } = result;
  writeJsonAtomic(path.join(runDir, 'results.json'), { experiment: opts.name, data: data.description, ...summary });
  progress.write(
    `[hrnet] best epoch ${bestEpoch + 1}/${fit.epochs} by ${topo.SELECT}: test loss ${test.loss.toFixed(4)} top-1 ${(100 * test.top1).toFixed(2)}% ` +
      `top-5 ${(100 * test.top5).toFixed(2)}%; train-eval top-1 ${(100 * trainEval.top1).toFixed(2)}%; ${seconds.toFixed(0)} s\n`,
  );
  model.dispose();
  tf.dispose(Object.values(module.variables ?? {}));
  return result;
}
