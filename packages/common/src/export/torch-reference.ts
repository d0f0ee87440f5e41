// PyTorch's CPU inference img/s on the reference models (../shared/reference/torch_reference.py throughput, batch 64),
// the peer an exported model is compared with when it is one of them.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { createModel } from '../models';
import { PYTHON } from './python-checker';

/** The script beside the workspace (`<workspace>/../shared/reference/`); RESEARCH_TORCH_REFERENCE names another. */
export function torchReferenceScript(): string {
  return (
    process.env.RESEARCH_TORCH_REFERENCE ??
    path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'reference', 'torch_reference.py')
  );
}

/** torch_reference.py's model name -> the registry's architecture built the same way. */
export const TORCH_REFERENCE_MODELS: Readonly<Record<string, string>> = {
  cnn: 'reference-cnn',
  'vit-tiny': 'vit-tiny',
};

export interface TorchThroughput {
  model: string;
  batch: number;
  infer_img_s: number;
}

function signature(model: tf.LayersModel): string {
  const shapes = (xs: tf.SymbolicTensor[]) => xs.map((x) => x.shape.slice(1).join('x')).join(',');
  return `${shapes(model.inputs)}->${shapes(model.outputs)}:${model.countParams()}`;
}

/**
 * The torch_reference.py name of a model built like one of its references (same input and output shapes and
 * parameter count as the registry's default build), or null.
 */
export function torchReferenceName(model: tf.LayersModel): string | null {
  const wanted = signature(model);
  for (const [name, architecture] of Object.entries(TORCH_REFERENCE_MODELS)) {
    const reference = createModel(architecture);
    const same = signature(reference) === wanted;
    reference.dispose();
    if (same) return name;
  }
  return null;
}

/** True when /usr/bin/python3 imports torch and the reference script exists. */
export function torchReferenceAvailable(): boolean {
  return (
    fs.existsSync(torchReferenceScript()) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0
  );
}

/** Runs `torch_reference.py throughput` (every reference model; ~20 s on 2 cores): inference img/s by model. */
export function torchReferenceThroughput(): TorchThroughput[] {
  const script = torchReferenceScript();
  if (!torchReferenceAvailable())
    throw new Error(
      `PyTorch reference: needs ${script} and /usr/bin/python3 with torch (apt-get install -y python3-torch)`,
    );
  const out = execFileSync(PYTHON, [script, 'throughput'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as TorchThroughput);
}
