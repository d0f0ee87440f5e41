import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { type TrainModule, moduleParameters } from './module';
import { decodeSafetensors, saveSafetensors } from '../hub';
import type { RngState } from './seed';

/**
 * One row of the fit history: epoch-level metrics (`train_*`, `val_*`), lr, epoch and global step. `epoch` is the
 * 0-based index (Lightning's `current_epoch`); progress lines count from 1 (`epoch 1/32` is index 0).
 */
export type EpochRecord = Record<string, number> & { epoch: number; global_step: number; lr: number };

/** Everything besides tensors that a resumed fit needs. */
export interface TrainerState {
  /** Completed epochs: the resumed fit starts at this epoch index. */
  epoch: number;
  globalStep: number;
  history: EpochRecord[];
  /** Math.random's seeded state (see seedEverything), null if it was not seeded. */
  rng: RngState | null;
  optimizer: { kind: string; lr: number; json: Record<string, unknown> };
  schedule: Record<string, unknown>;
  /** State of callbacks that have one, by callback key. */
  callbacks: Record<string, unknown>;
  /** Parameter names in checkpoint order, with their tfjs names (for humans and error messages). */
  parameters: { name: string; tfjsName: string }[];
}

export interface Checkpoint {
  /** `model/<param>` weights and `optimizer/<param>/<slot>` optimizer state. */
  tensors: Record<string, tf.Tensor>;
  state: TrainerState;
}

const FORMAT = 'research-common.checkpoint';
const VERSION = '1';

/**
 * Saves a checkpoint as one safetensors file (tensors + the trainer state as JSON metadata), written to a
 * temporary name and renamed, so a crash never leaves a half-written checkpoint under the final name.
 * Python reads it with `safetensors.numpy.load_file` (metadata: `safe_open(...).metadata()`).
 */
export function saveCheckpoint(file: string, ckpt: Checkpoint): void {
  saveSafetensors(file, ckpt.tensors, { format: FORMAT, version: VERSION, trainer: JSON.stringify(ckpt.state) });
}

/** Reads a checkpoint written by saveCheckpoint; the caller disposes `tensors`. */
export function loadCheckpoint(file: string): Checkpoint {
  if (!fs.existsSync(file)) throw new Error(`checkpoint ${file} does not exist`);
  const decoded = decodeSafetensors(fs.readFileSync(file), `checkpoint ${file}`);
  const tensors = Object.fromEntries(decoded.tensors);
  const metadata = decoded.metadata;
  const fail = (why: string): never => {
    Object.values(tensors).forEach((t) => t.dispose());
    throw new Error(`checkpoint ${file}: ${why}`);
  };
  if (metadata.format !== FORMAT) fail(`metadata.format is '${metadata.format}', expected '${FORMAT}'`);
  if (metadata.version !== VERSION) fail(`metadata.version is '${metadata.version}', expected '${VERSION}'`);
  let state: TrainerState | undefined;
  try {
    state = JSON.parse(metadata.trainer) as TrainerState;
  } catch (e) {
    fail(`metadata.trainer is not valid JSON (${(e as Error).message})`);
  }
  for (const key of ['epoch', 'globalStep', 'history', 'optimizer', 'parameters'] as const) {
    if (state?.[key] === undefined) fail(`trainer state has no '${key}'`);
  }
  return { tensors, state: state as TrainerState };
}

/**
 * Copies a checkpoint's weights into a module (all of them, optimizer state aside). Every weight is checked
 * (presence, shape, no extras) before any is assigned, so a mismatch leaves the module untouched.
 */
export function assignModuleWeights(module: TrainModule, ckpt: Checkpoint, source: string): void {
  const params = moduleParameters(module);
  const expected = new Set(params.all.map((p) => `model/${p.name}`));
  for (const key of Object.keys(ckpt.tensors)) {
    if (key.startsWith('model/') && !expected.has(key)) {
      throw new Error(`checkpoint ${source}: weight '${key}' has no counterpart in the module (it has ${params.all.length} weights)`);
    }
  }
  const values = params.all.map((p, i) => {
    const t = ckpt.tensors[`model/${p.name}`];
    if (!t) throw new Error(`checkpoint ${source}: missing weight 'model/${p.name}' (${params.displayNames[i]})`);
    if (t.shape.join() !== p.variable.shape.join()) {
      throw new Error(
        `checkpoint ${source}: weight 'model/${p.name}' (${params.displayNames[i]}) has shape [${t.shape}], the module's is [${p.variable.shape}]`,
      );
    }
    return t;
  });
  params.all.forEach((p, i) => p.variable.assign(values[i]));
}

/** Loads only the weights of a checkpoint file into a module (e.g. `best.safetensors` before evaluating). */
export function loadModuleWeights(module: TrainModule, file: string): TrainerState {
  const ckpt = loadCheckpoint(file);
  try {
    assignModuleWeights(module, ckpt, file);
    return ckpt.state;
  } finally {
    tf.dispose(ckpt.tensors);
  }
}
