import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { type WeightOwner, moduleParameters } from './module';
import { decodeSafetensors, saveSafetensors } from '../io';
import type { RngState } from './seed';

/**
 * One row of the fit history: epoch-level metrics (`train_*`, `val_*`), lr, epoch and global step. `epoch` counts
 * from 1, as progress lines do (`epoch 1/32` is the first epoch's record), in metrics files, TensorBoard's `epoch/*`
 * steps, `best_epoch` and checkpoints alike. (Data sources and step contexts get the 0-based epoch index, as torch's
 * `sampler.set_epoch`.)
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

/** Checks a checkpoint's weights against a module's (presence, shape, no extras); throws naming the first mismatch. */
export function checkModuleWeights(module: WeightOwner, ckpt: Checkpoint, source: string): tf.Tensor[] {
  const params = moduleParameters(module);
  const expected = new Set(params.all.map((p) => `model/${p.name}`));
  for (const key of Object.keys(ckpt.tensors)) {
    if (key.startsWith('model/') && !expected.has(key)) {
      throw new Error(
        `checkpoint ${source}: weight '${key}' has no counterpart in the module (it has ${params.all.length} weights)`,
      );
    }
  }
  return params.all.map((p, i) => {
    const t = ckpt.tensors[`model/${p.name}`];
    if (!t) throw new Error(`checkpoint ${source}: missing weight 'model/${p.name}' (${params.displayNames[i]})`);
    if (t.shape.join() !== p.variable.shape.join()) {
      throw new Error(
        `checkpoint ${source}: weight 'model/${p.name}' (${params.displayNames[i]}) has shape [${t.shape}], the module's is [${p.variable.shape}]`,
      );
    }
    return t;
  });
}

/**
 * Copies a checkpoint's weights into a module (all of them, optimizer state aside). Every weight is checked
 * (presence, shape, no extras) before any is assigned, so a mismatch leaves the module untouched.
 */
export function assignModuleWeights(module: WeightOwner, ckpt: Checkpoint, source: string): void {
  const values = checkModuleWeights(module, ckpt, source);
  moduleParameters(module).all.forEach((p, i) => p.variable.assign(values[i]));
}

/** A resumed fit must continue the schedule it was trained with (a changed --epochs changes a cosine schedule). */
export function checkSchedule(ckpt: Checkpoint, file: string, schedule: Record<string, unknown>): void {
  if (JSON.stringify(ckpt.state.schedule) !== JSON.stringify(schedule)) {
    throw new Error(
      `checkpoint ${file}: LR schedule ${JSON.stringify(ckpt.state.schedule)} differs from the trainer's ${JSON.stringify(schedule)}`,
    );
  }
}

/**
 * Whether a fit can resume from `file` without changing anything: the module's weights fit and the LR schedule is
 * the one the checkpoint was trained with. Throws naming what differs; returns the checkpoint's trainer state.
 */
export function checkResumable(module: WeightOwner, file: string, schedule: Record<string, unknown>): TrainerState {
  const ckpt = loadCheckpoint(file);
  try {
    checkSchedule(ckpt, file, schedule);
    checkModuleWeights(module, ckpt, file);
    return ckpt.state;
  } finally {
    tf.dispose(ckpt.tensors);
  }
}

/** Loads only the weights of a checkpoint file into a module (e.g. `best.safetensors` before evaluating). */
export function loadModuleWeights(module: WeightOwner, file: string): TrainerState {
  const ckpt = loadCheckpoint(file);
  try {
    assignModuleWeights(module, ckpt, file);
    return ckpt.state;
  } finally {
    tf.dispose(ckpt.tensors);
  }
}
