// HRNet with topology analysis as an app of common's run layer: the experiment files are its configs, the official
// recipe sets up the Trainer, and the topology monitor, regulariser and topology-guided selection are its additions.
import * as tf from '@tensorflow/tfjs';
import {
  checkImageFiles,
  evaluate,
  type AppDefinition,
  type Callback,
  type ScheduleSpec,
  type TrainerSettings,
  buildHrnet,
  countTorchParameters,
} from '@research/common';
import {
  checkExperiment,
  experimentsDir,
  hrnetSchema,
  listExperiments,
  resolveExperiment,
  type HrnetExperiment,
} from './config';
import { loadExperimentData, probeBatch, type ExperimentData } from './data';
import { hrnetModule } from './module';
import { monitoredLayers } from './topology/activations';
import { TopologyMonitor } from './topology/monitor';

/** The official MultiStepLR(LR_STEP, LR_FACTOR), per epoch. */
export function scheduleFor(exp: HrnetExperiment): ScheduleSpec {
  const milestones = exp.TRAIN.LR_STEP.filter((m) => m > 0);
  return milestones.length > 0
    ? { name: 'multistep', milestones, gamma: exp.TRAIN.LR_FACTOR, interval: 'epoch' }
    : { name: 'constant' };
}

export function selectMode(select: HrnetExperiment['TOPO']['SELECT']): 'min' | 'max' {
  return select === 'val_acc' || select === 'topo_score' ? 'max' : 'min';
}

export function trainerSettings(exp: HrnetExperiment): TrainerSettings {
  checkExperiment(exp);
  const t = exp.TRAIN;
  const mode = selectMode(exp.TOPO.SELECT);
  return {
    epochs: t.END_EPOCH,
    seed: t.SEED,
    backend: exp.BACKEND,
    optimizer:
      t.OPTIMIZER === 'adam'
        ? { name: 'adam', lr: t.LR, weightDecay: t.WD }
        : { name: 'sgd', lr: t.LR, momentum: t.MOMENTUM, nesterov: t.NESTEROV, weightDecay: t.WD },
    schedule: scheduleFor(exp),
    accumulateGradBatches: t.ACCUMULATE_GRAD_BATCHES,
    logEveryNSteps: exp.PRINT_FREQ,
    checkpoint: { monitor: exp.TOPO.SELECT, mode },
    earlyStopping: { monitor: exp.TOPO.SELECT, mode, patience: exp.TOPO.EARLY_STOP_PATIENCE },
    // The 44 per-layer distances go to metrics.json and TensorBoard; the epoch line keeps topo_gap / topo_score.
    progressMetrics: (name) => !name.startsWith('topo/'),
  };
}

function evalSource(split: ExperimentData['test'], exp: HrnetExperiment, indices?: ArrayLike<number>) {
  return split.source({
    batchSize: exp.TEST.BATCH_SIZE_PER_GPU,
    augment: false,
    shuffle: false,
    seed: exp.TRAIN.SEED,
    indices,
  });
}

export const hrnetApp: AppDefinition<HrnetExperiment> = {
  project: 'hrnet',
  description: 'HRNet classifiers and topological analysis of their activations',
  configDir: experimentsDir,
  defaultConfig: 'w18_small_v1_32x32',
  configs: { list: () => [...listExperiments().keys()], resolve: resolveExperiment },
  schema: hrnetSchema,
  keys: { epochs: 'TRAIN.END_EPOCH', seed: 'TRAIN.SEED', experimentName: 'NAME' },
  trainer: trainerSettings,
  // MODEL.IMAGE_SIZE is [width, height], as in the official configs.
  inputSizeOverrides: (_exp, [height, width]) => [`MODEL.IMAGE_SIZE=[${width},${height}]`],
  async setup(exp, ctx) {
    const data = loadExperimentData(exp);
    // Image folders: every file decoded once before anything trains (a corrupt one fails now, by name).
    const splits = ctx.stage === 'fit' ? [data.train, data.val, data.test] : [data.test];
    const files = splits.flatMap((split) => split.files ?? []);
    if (files.length > 0) await checkImageFiles(files, `${exp.DATASET.DATASET}'s image folders`, { log: ctx.log });
    const seed = exp.TRAIN.SEED;
    const { model, stageOutputs } = buildHrnet(exp.MODEL, { init: 'official', seed });
    const module = hrnetModule(model, { topoWeight: exp.TOPO.REG_WEIGHT });
    const topo = exp.TOPO;
    const callbacks: Callback[] = [];
    const probes: tf.Tensor[] = [];
    if (ctx.stage === 'fit' && topo.MONITOR_EVERY > 0) {
      const trainSample = await probeBatch(data.train, topo.SAMPLES, topo.SEED);
      const valSample = await probeBatch(data.val, topo.SAMPLES, topo.SEED + 1);
      probes.push(trainSample.x, trainSample.y, valSample.x, valSample.y);
      callbacks.push(
        new TopologyMonitor({
          model,
          layers: monitoredLayers(stageOutputs),
          trainSample: trainSample.x,
          valSample: valSample.x,
          everyNEpochs: topo.MONITOR_EVERY,
          reduction:
            topo.REDUCE === 'gap' ? { kind: 'gap' } : { kind: 'flatten', dims: topo.FLATTEN_DIMS, seed: topo.SEED },
          scoreWeight: topo.SCORE_WEIGHT,
        }),
      );
    }
    return {
      module,
      train:
        ctx.stage === 'fit'
          ? data.train.source({
              batchSize: exp.TRAIN.BATCH_SIZE_PER_GPU,
              augment: true,
              shuffle: exp.TRAIN.SHUFFLE,
              seed,
              samplesPerEpoch: exp.TRAIN.SAMPLES_PER_EPOCH || undefined,
            })
          : undefined,
      val: ctx.stage === 'fit' ? evalSource(data.val, exp) : undefined,
      test: evalSource(data.test, exp),
      data: data.description,
      trainExamplesPerEpoch: exp.TRAIN.SAMPLES_PER_EPOCH || data.train.size,
      parameters: countTorchParameters(model),
      callbacks,
      classifier: { predict: (batch) => model.apply(batch.x, { training: false }) as tf.Tensor, model },
      // The generalisation gap compares like with like: as many training examples as test examples, evaluation
      // transform; topo_gap is the monitor's value at the epoch whose weights were tested.
      async afterTest({ metrics, history, bestEpoch }) {
        const indices = Int32Array.from({ length: Math.min(data.train.size, data.test.size) }, (_, i) => i);
        const trainEval = await evaluate(module, evalSource(data.train, exp, indices), { stage: 'test' });
        const topoGap = history.find((r) => r.epoch === bestEpoch)?.topo_gap;
        return {
          select: topo.SELECT,
          train_eval_loss: trainEval.test_loss,
          train_eval_acc: trainEval.test_acc,
          generalization_gap: trainEval.test_acc - metrics.test_acc,
          topo_gap: topoGap ?? null,
        };
      },
      dispose() {
        tf.dispose(probes);
        tf.dispose(Object.values(module.variables ?? {}));
        model.dispose();
      },
    };
  },
};
