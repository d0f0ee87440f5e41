import * as fs from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { decodeSafetensors, saveSafetensors } from '../hub';
import type { RngState } from './seed';

/** One row of the fit history: epoch-level metrics (`train_*`, `val_*`), lr, epoch and global step. */
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
