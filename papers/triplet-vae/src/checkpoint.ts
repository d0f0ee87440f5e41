// Restoring a trained model for inference: the run's config.yaml (next to checkpoints/) rebuilds the architecture,
// the checkpoint file supplies the weights.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig, loadModuleWeights, type TrainerState, type TripletVaeModel } from '@research/common';
import { tripletVaeSchema, type DatasetName, type TripletVaeConfig } from './config';
import { buildTripletVaeModel } from './model';

/** Image shape and class count of each dataset. */
export const DATASET_SHAPES: Record<DatasetName, { inputShape: [number, number, number]; numClasses: number }> = {
  fashionmnist: { inputShape: [28, 28, 1], numClasses: 10 },
  mnist: { inputShape: [28, 28, 1], numClasses: 10 },
  cifar10: { inputShape: [32, 32, 3], numClasses: 10 },
};

/** The model a config describes, with fresh weights. */
export function modelForConfig(config: TripletVaeConfig): TripletVaeModel {
  const { inputShape, numClasses } = DATASET_SHAPES[config.data.dataset];
  return buildTripletVaeModel(config.model, inputShape, numClasses);
}

/** `<runDir>/config.yaml` for a checkpoint at `<runDir>/checkpoints/<name>.safetensors`. */
export function runConfigPath(checkpointFile: string): string {
  return path.join(path.dirname(path.dirname(path.resolve(checkpointFile))), 'config.yaml');
}

export interface RestoredModel {
  model: TripletVaeModel;
  config: TripletVaeConfig;
  /** Epoch, history and the rest of the trainer state saved with the weights. */
  state: TrainerState;
}

export interface LoadCheckpointOptions {
  /** Default: the run's `config.yaml` next to the `checkpoints/` folder. */
  configFile?: string;
  /** Config overrides applied to the saved config (e.g. `data.root=...`), validated again. */
  overrides?: readonly string[];
}

/** Rebuilds the model of a run and loads a checkpoint's weights into it (e.g. `.../checkpoints/best.safetensors`). */
export function loadCheckpoint(checkpointFile: string, opts: LoadCheckpointOptions = {}): RestoredModel {
  const configFile = opts.configFile ?? runConfigPath(checkpointFile);
  if (!fs.existsSync(checkpointFile)) throw new Error(`checkpoint ${checkpointFile} does not exist`);
  if (!fs.existsSync(configFile)) {
    throw new Error(
      `checkpoint ${checkpointFile}: no run config at ${configFile} (a run writes config.yaml next to its checkpoints/ folder)`,
    );
  }
  const config = loadConfig<TripletVaeConfig>(configFile, tripletVaeSchema, opts.overrides ?? []);
  const model = modelForConfig(config);
  const state = loadModuleWeights(model, checkpointFile);
  return { model, config, state };
}
