// The triplet-VAE paper as an app of common's run layer: its config, how the Trainer is set up from it, and its
// data, module, callbacks and figures (kNN accuracy, reconstruction error, t-SNE of the test embeddings).
import * as path from 'node:path';
import {
  countTripletVaeParameters,
  tripletVaeClassifier,
  type AppDefinition,
  type BackendPreference,
  type Callback,
  type OptimizerSpec,
  type ScheduleSpec,
  type TrainerSettings,
} from '@research/common';
import { firstImages, ReconstructionGrid, saveEmbeddingTsne, tripletSamplesCallback } from './artifacts';
import { modelForConfig } from './checkpoint';
import { CONFIG_DIR, DATASET_CONFIGS, tripletVaeSchema, type TripletVaeConfig } from './config';
import { evalSource, loadRunData, trainSource } from './data';
import { knnAccuracy, runInference } from './evaluation';
import { tripletVaeModule } from './module';
import { TimeBudget } from './time-budget';
import { TripletDataset } from './triplet-dataset';

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

function trainerSettings(config: TripletVaeConfig): TrainerSettings {
  const t = config.train;
  return {
    epochs: t.epochs,
    seed: config.seed,
    backend: config.backend as BackendPreference,
    optimizer: optimizerSpec(t.optimizer),
    schedule: scheduleSpec(config),
    gradClipNorm: t.grad_clip > 0 ? t.grad_clip : undefined,
    logEveryNSteps: t.log_every,
    checkpoint: { monitor: t.checkpoint_monitor, mode: 'max' },
    earlyStopping: {
      monitor: t.early_stopping.monitor,
      mode: t.early_stopping.mode,
      patience: t.early_stopping.patience,
    },
  };
}

export const tripletVaeApp: AppDefinition<TripletVaeConfig> = {
  project: 'triplet-vae',
  description: 'ViT with a VAE latent: triplet + classification + reconstruction + KL losses',
  configDir: CONFIG_DIR,
  defaultConfig: 'fashionmnist',
  configs: {
    list: () => [...DATASET_CONFIGS],
    resolve(name) {
      if (!DATASET_CONFIGS.includes(name as never))
        throw new Error(
          `unknown config '${name}': expected one of ${DATASET_CONFIGS.join(', ')} (files in ${CONFIG_DIR})`,
        );
      return name;
    },
  },
  schema: tripletVaeSchema,
  keys: { epochs: 'train.epochs', seed: 'seed', experimentName: 'experiment.name' },
  trainer: trainerSettings,
  setup(config, ctx) {
    const data = loadRunData(config);
    const model = modelForConfig(config);
    const module = tripletVaeModule(model, config.loss);
    const test = evalSource(data.test, 256);
    const callbacks: Callback[] = [];
    let train;
    if (ctx.stage === 'fit') {
      train = trainSource(data.train, config);
      const samples =
        train instanceof TripletDataset ? train : new TripletDataset(data.train, { batchSize: 8, seed: config.seed });
      callbacks.push(tripletSamplesCallback(samples, config.data.dataset));
      if (config.train.time_budget_minutes > 0) callbacks.push(new TimeBudget(config.train.time_budget_minutes * 60));
      if (model.mode === 'multitask') callbacks.push(new ReconstructionGrid(model, firstImages(data.val, 8)));
    }
    return {
      module,
      train,
      val: ctx.stage === 'fit' ? evalSource(data.val, 256) : undefined,
      test,
      data: `${config.data.dataset} (${data.source}): ${data.train.length} train / ${data.val.length} val / ${data.test.length} test`,
      trainExamplesPerEpoch: train instanceof TripletDataset ? 3 * train.size : train?.size,
      parameters: countTripletVaeParameters(model),
      callbacks,
      classifier: {
        predict: (batch) => model.forward(batch.x as never, false).logits,
        model: tripletVaeClassifier(model),
        classNames: data.classNames.length ? data.classNames : undefined,
      },
      // The paper's figures beyond the loss terms: kNN accuracy of the embeddings (the training split as the index),
      // the reconstruction error, and the t-SNE of the test embeddings.
      async afterTest({ outDir, log }) {
        const started = performance.now();
        const trainOutputs = await runInference(model, data.train);
        const testOutputs = await runInference(model, data.test);
        const figures: Record<string, number> = { knn_acc: knnAccuracy(trainOutputs, testOutputs, config.eval.knn_k) };
        if (testOutputs.reconstructionMse !== undefined) figures.rec_mse = testOutputs.reconstructionMse;
        log(
          `[triplet-vae] kNN (k=${config.eval.knn_k}) ${figures.knn_acc.toFixed(4)}${figures.rec_mse !== undefined ? `, reconstruction MSE ${figures.rec_mse.toFixed(4)}` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        saveEmbeddingTsne(
          testOutputs.embeddings,
          testOutputs.dim,
          testOutputs.labels,
          path.join(outDir, 'embeddings_tsne.png'),
          {
            points: config.eval.tsne_points,
            iterations: config.eval.tsne_iterations,
            seed: config.seed,
            classNames: data.classNames,
            title: `t-SNE of ${config.data.dataset} test embeddings (${config.model.mode})`,
          },
        );
        return figures;
      },
      dispose: () => Object.values(model.models).forEach((m) => m.dispose()),
    };
  },
};
