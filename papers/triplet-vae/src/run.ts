// One training run: compose the config, build data and model, fit with checkpoints and logging, then evaluate the
// best checkpoint on the test set and write the run's pictures and results into its folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  initBackend,
  createOptimizer, createSchedule, EarlyStopping, loadConfig, loadModuleWeights, MetricsLogger, ModelCheckpoint, NanGuard,
  outputsDir, ProgressBar, saveConfig, seedEverything, SummaryWriter, TensorBoardLogger, Trainer, type BackendPreference, type Callback,
  type ScheduleSpec, type OptimizerSpec,
  writeFileAtomic,
} from '@research/common';
import { firstImages, ReconstructionGrid, saveEmbeddingTsne, saveTripletSamples } from './artifacts';
import { runConfigPath, modelForConfig } from './checkpoint';
import { composeTripletVaeConfig, overrideRunConfig, tripletVaeSchema, type TripletVaeConfig } from './config';
import { evalSource, loadRunData, trainSource } from './data';
import { evaluateModel, type EvaluationResult } from './evaluate-model';
import { countParameters } from './model';
import { tripletVaeModule } from './module';
import { TimeBudget } from './time-budget';
import { TripletDataset } from './triplet-dataset';

export const PROJECT = 'triplet-vae';

export interface TrainOptions {
  /** Root config name (a dataset): fashionmnist, mnist or cifar10. */
  configName?: string;
  overrides?: string[];
  epochs?: number;
  seed?: number;
  /** A checkpoint of an earlier run: training continues in that run's folder. */
  resume?: string;
  /** Parent of `<experiment>/<timestamp>/` (default assets/outputs/triplet-vae). */
  outputRoot?: string;
  /** Show a progress bar (default true). */
  progress?: boolean;
  log?: (line: string) => void;
}

export interface TrainResult extends EvaluationResult {
  runDir: string;
  epochs: number;
  bestEpoch: number | null;
  stopReason?: string;
  trainSeconds: number;
  trainImagesPerSecond: number;
}

function timestamp(): string {
  return new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
}

function optimizerSpec(opt: TripletVaeConfig['train']['optimizer']): OptimizerSpec {
  if (opt.name === 'sgd') return { name: 'sgd', lr: opt.lr, momentum: opt.momentum, weightDecay: opt.weight_decay };
  return { name: opt.name, lr: opt.lr, weightDecay: opt.weight_decay };
}

/** The LR schedule, stepped once per epoch. */
export function scheduleSpec(config: TripletVaeConfig): ScheduleSpec {
  const s = config.scheduler;
  switch (s.name) {
    case 'cosine':
      return { name: 'cosine', tMax: config.train.epochs, etaMin: s.eta_min, interval: 'epoch' };
    case 'step':
      return { name: 'step', stepSize: s.step_size, gamma: s.gamma, interval: 'epoch' };
    case 'exponential':
      return { name: 'exponential', gamma: s.gamma, interval: 'epoch' };
    default:
      return { name: 'constant' };
  }
}

/** The config of a new run, or of the resumed run with --epochs/--seed/overrides applied on top. */
function runConfig(opts: TrainOptions): { config: TripletVaeConfig; runDir: string } {
  const extra = [...(opts.overrides ?? [])];
  if (opts.epochs !== undefined) extra.push(`train.epochs=${opts.epochs}`);
  if (opts.seed !== undefined) extra.push(`seed=${opts.seed}`);
  if (opts.resume) {
    const saved = loadConfig<TripletVaeConfig>(runConfigPath(opts.resume), tripletVaeSchema);
    return { config: overrideRunConfig(saved, extra), runDir: path.dirname(runConfigPath(opts.resume)) };
  }
  const { config } = composeTripletVaeConfig(opts.configName ?? 'fashionmnist', extra);
  const root = opts.outputRoot ?? outputsDir(PROJECT);
  return { config, runDir: path.join(root, config.experiment.name, timestamp()) };
}

/** Trains, checkpoints, evaluates the best checkpoint; returns the figures also written to `<runDir>/results.json`. */
export async function train(opts: TrainOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? console.log;
  const { config, runDir } = runConfig(opts);
  // Data first: a missing dataset fails with the data module's how-to-get-it message before a run folder exists.
  const data = loadRunData(config);
  const backend = await initBackend(config.backend as BackendPreference, { log });
  fs.mkdirSync(runDir, { recursive: true });
  saveConfig(runDir, config);
  log(`run folder: ${runDir}`);
  log(`data: ${config.data.dataset} (${data.source}): ${data.train.length} train / ${data.val.length} val / ${data.test.length} test`);

  seedEverything(config.seed); // before building the model, so the initial weights are seeded
  const model = modelForConfig(config);
  log(`model: ${config.model.mode}, ${countParameters(model).toLocaleString('en-US')} parameters`);
  const module = tripletVaeModule(model, config.loss);
  const train = trainSource(data.train, config);
  const val = evalSource(data.val, 256);
  const samples = train instanceof TripletDataset ? train : new TripletDataset(data.train, { batchSize: 8, seed: config.seed });
  saveTripletSamples(samples, path.join(runDir, `triplet_samples_${config.data.dataset}.png`));

  const writer = new SummaryWriter(path.join(runDir, 'tensorboard'));
  const checkpoint = new ModelCheckpoint({ monitor: config.train.checkpoint_monitor, mode: 'max' });
  let epochsRun = 0; // in this process (a resumed fit starts later)
  const callbacks: Callback[] = [
    { onEpochEnd: () => void epochsRun++ },
    checkpoint,
    new EarlyStopping({ monitor: config.train.early_stopping.monitor, mode: config.train.early_stopping.mode, patience: config.train.early_stopping.patience }),
    new TensorBoardLogger({ writer }),
    new MetricsLogger(),
    new NanGuard(),
  ];
  if (opts.progress !== false) callbacks.push(new ProgressBar());
  if (config.train.time_budget_minutes > 0) callbacks.push(new TimeBudget(config.train.time_budget_minutes * 60));
  if (model.mode === 'multitask') callbacks.push(new ReconstructionGrid(model, writer, firstImages(data.val, 8)));
  const trainer = new Trainer({
    maxEpochs: config.train.epochs,
    optimizer: createOptimizer(optimizerSpec(config.train.optimizer)),
    schedule: createSchedule(scheduleSpec(config)),
    gradClipNorm: config.train.grad_clip > 0 ? config.train.grad_clip : undefined,
    seed: config.seed,
    logEveryNSteps: config.train.log_every,
    runDir,
    callbacks,
  });

  const started = performance.now();
  const fit = await trainer.fit(module, train, val, { resumeFrom: opts.resume });
  const trainSeconds = (performance.now() - started) / 1000;
  const imagesPerEpoch = train instanceof TripletDataset ? 3 * train.size : train.size;
  const trainImagesPerSecond = (imagesPerEpoch * epochsRun) / trainSeconds;
  log(`fit: ${fit.epochs} epochs in ${trainSeconds.toFixed(1)} s (${trainImagesPerSecond.toFixed(0)} img/s incl. validation)${fit.stopReason ? `; ${fit.stopReason}` : ''}`);

  const best = fs.existsSync(checkpoint.bestPath(trainer)) ? checkpoint.bestPath(trainer) : checkpoint.lastPath(trainer);
  loadModuleWeights(module, best);
  const evaluation = await evaluateModel(model, config, data, { trainer, module, log });
  for (const [key, value] of Object.entries(evaluation.metrics)) writer.addScalar(`test/${key}`, value, fit.epochs);
  writer.close();
  saveEmbeddingTsne(evaluation.testOutputs.embeddings, evaluation.testOutputs.dim, evaluation.testOutputs.labels, path.join(runDir, 'embeddings_tsne.png'), {
    points: config.eval.tsne_points,
    iterations: config.eval.tsne_iterations,
    seed: config.seed,
    classNames: data.classNames,
    title: `t-SNE of ${config.data.dataset} test embeddings (${config.model.mode})`,
  });

  const result: TrainResult = {
    ...evaluation,
    runDir,
    epochs: fit.epochs,
    bestEpoch: checkpoint.bestEpoch,
    stopReason: fit.stopReason,
    trainSeconds,
    trainImagesPerSecond,
  };
  const summary = {
    dataset: config.data.dataset,
    data_source: data.source,
    mode: config.model.mode,
    parameters: countParameters(model),
    backend: backend.name,
    epochs: fit.epochs,
    best_epoch: checkpoint.bestEpoch,
    best_checkpoint: best,
    stop_reason: fit.stopReason ?? null,
    train_seconds: Number(trainSeconds.toFixed(1)),
    train_images_per_second: Number(trainImagesPerSecond.toFixed(1)),
    ...evaluation.metrics,
  };
  writeJsonAtomic(path.join(runDir, 'results.json'), summary);
  log(JSON.stringify(summary, null, 1));
  return result;
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 1) + '\n');
}
