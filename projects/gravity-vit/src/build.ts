// From a composed config to the run's pieces: optimizer and LR schedule specs, the model, the data file and its
// batch sources. The run layer's AppDefinition (train/evaluate) is wired on top of these.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { datasetsDir, modelsDir, type OptimizerSpec, type ScheduleSpec } from '@research/common';
import type { GravityVitConfig } from './config';
import { DURATIONS, GRAVITY_SPY_CLASSES, GravitySpyDataset, GravitySpySource, type Split, type ViewMode } from './data';
import { ENCODER_NAME, type TimmLoadReport, baselineCnn, loadTimmVitWeights, multiviewVit, timmVit } from './models';
import { SYNTHETIC_H5, writeSyntheticGravitySpy } from './synthetic';

export const REAL_DATA_DIR_NAME = 'gravity-spy';
export const REAL_H5 = 'trainingsetv1d1.h5';
export const SYNTHETIC_DIR_NAME = 'gravity-spy-synthetic';

export function optimizerSpec(config: GravityVitConfig): OptimizerSpec {
  const o = config.train.optimizer;
  if (o.name === 'sgd') return { name: 'sgd', lr: o.lr, momentum: o.momentum, weightDecay: o.weight_decay };
  return { name: o.name, lr: o.lr, weightDecay: o.weight_decay };
}

/**
 * The per-epoch LR schedule: torch SequentialLR(LinearLR(start_factor, total_iters=warmup), CosineAnnealingLR(
 * T_max=epochs - warmup, eta_min)) for warmup_cosine; a warm-up as long as the run is cut to leave one cosine epoch.
 */
export function scheduleSpec(config: GravityVitConfig): ScheduleSpec {
  const { epochs } = config.train;
  const s = config.train.scheduler;
  const warmup = Math.min(s.warmup_epochs, epochs - 1);
  if (s.name === 'constant' || epochs === 1) return { name: 'constant' };
  if (s.name === 'cosine' || warmup <= 0) return { name: 'cosine', tMax: epochs, etaMin: s.eta_min, interval: 'epoch' };
  return {
    name: 'warmupCosine',
    warmupSteps: warmup,
    totalSteps: epochs,
    warmupStartFactor: s.warmup_start_factor,
    etaMin: s.eta_min,
    interval: 'epoch',
  };
}

/** The run's settings for common's Trainer (the run layer's TrainerSettings). */
export function trainerSettings(config: GravityVitConfig) {
  const t = config.train;
  return {
    epochs: t.epochs,
    seed: config.seed,
    backend: t.device,
    optimizer: optimizerSpec(config),
    schedule: scheduleSpec(config),
    gradClipNorm: t.grad_clip > 0 ? t.grad_clip : undefined,
    logEveryNSteps: t.log_every,
    checkpoint: { monitor: t.checkpoint_monitor, mode: 'max' as const },
    earlyStopping: {
      monitor: t.early_stopping.monitor,
      mode: t.early_stopping.mode,
      patience: t.early_stopping.patience,
    },
  };
}

/** How the model reads a sample. */
export function viewMode(config: GravityVitConfig): ViewMode {
  return config.model.name === 'multiview_vit' ? 'multi_view' : config.model.name === 'vit' ? 'single_view' : 'merged';
}

export interface BuiltModel {
  model: tf.LayersModel;
  /** 4 when the model also returns view attention (multiview_vit), else 0. */
  numViews: number;
  pretrained?: TimmLoadReport;
}

function pretrainedPath(file: string): string {
  const resolved = path.isAbsolute(file) ? file : path.join(modelsDir(), file);
  if (!fs.existsSync(resolved)) {
    throw new Error(
      `model.pretrained: ${resolved} does not exist (download it with npx tools download-hf-model --repo-id <timm repo> --filename model.safetensors)`,
    );
  }
  return resolved;
}

export function buildModel(config: GravityVitConfig): BuiltModel {
  const m = config.model;
  const [h, w] = m.input_size;
  const classes = GRAVITY_SPY_CLASSES.length;
  if (m.name === 'baseline_cnn') {
    return {
      model: baselineCnn({
        inputShape: [h, w, m.channels],
        numClasses: classes,
        filters: m.cnn.filters,
        denseUnits: m.cnn.dense_units,
        dropout: m.cnn.dropout,
      }),
      numViews: 0,
    };
  }
  const encoder = {
    imgSize: [h, w] as [number, number],
    patchSize: m.vit.patch_size,
    inChans: m.channels,
    dim: m.vit.dim,
    depth: m.vit.depth,
    numHeads: m.vit.heads,
    mlpDim: m.vit.mlp_dim,
    dropout: m.vit.dropout,
  };
  const built: BuiltModel =
    m.name === 'vit'
      ? { model: timmVit({ ...encoder, numClasses: classes }), numViews: 0 }
      : {
          model: multiviewVit({
            views: DURATIONS.length,
            numClasses: classes,
            encoder,
            fusion: {
              layers: m.fusion.layers,
              heads: m.fusion.heads,
              mlpDim: m.fusion.mlp_dim,
              dropout: m.fusion.dropout,
            },
            headDim: m.head_dim,
          }),
          numViews: DURATIONS.length,
        };
  if (m.pretrained) {
    const target = m.name === 'vit' ? built.model : (built.model.getLayer(ENCODER_NAME) as tf.LayersModel);
    built.pretrained = loadTimmVitWeights(target, pretrainedPath(m.pretrained), { loadHead: false });
  }
  return built;
}

/**
 * The HDF5 file of the run: data.h5, else the dataset's file under assets/datasets. The synthetic set is written
 * (deterministically) when it is missing; the real one must be downloaded first.
 */
export async function resolveDataFile(
  config: GravityVitConfig,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  if (config.data.h5) {
    if (!fs.existsSync(config.data.h5)) throw new Error(`data.h5: ${config.data.h5} does not exist`);
    return config.data.h5;
  }
  if (config.data.name === 'gravity_spy') {
    const file = path.join(datasetsDir(REAL_DATA_DIR_NAME), REAL_H5);
    if (!fs.existsSync(file))
      throw new Error(`${file} is missing: fetch it with npx nx run gravity-vit:download-data (or set data.h5=<file>)`);
    return file;
  }
  const dir = datasetsDir(SYNTHETIC_DIR_NAME);
  const file = path.join(dir, SYNTHETIC_H5);
  if (!fs.existsSync(file)) {
    log(`[gravity-vit] no synthetic set at ${file}: writing it (about a minute or more on 2 cores)`);
    await writeSyntheticGravitySpy({ dir });
  }
  return file;
}

/** A BatchSource of one split, shaped for the configured model. */
export function splitSource(dataset: GravitySpyDataset, config: GravityVitConfig, split: Split): GravitySpySource {
  const d = config.data;
  const limit = split === 'train' ? d.train_limit : split === 'validation' ? d.val_limit : d.test_limit;
  return new GravitySpySource(dataset, {
    split,
    mode: viewMode(config),
    duration: config.model.view,
    inputSize: config.model.input_size as [number, number],
    channels: config.model.channels as 1 | 3,
    batchSize: split === 'train' ? d.batch_size : d.eval_batch_size,
    shuffle: split === 'train',
    seed: config.seed,
    limit,
    normalize: d.normalize.mean !== 0 || d.normalize.std !== 1 ? d.normalize : undefined,
  });
}
