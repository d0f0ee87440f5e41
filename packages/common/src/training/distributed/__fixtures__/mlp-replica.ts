// The replica factory of data-parallel.test.ts: the tiny MLP on the synthetic loader, with a callback that records a
// hash of every weight after each step (written to `hashesFile` when the fit ends) to compare the ranks.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { syntheticLoader, tinyMlp } from '../../__fixtures__/synthetic';
import type { Callback } from '../../callback';
import { classificationModule } from '../../module';
import { Adam } from '../../optim';
import { seedEverything } from '../../seed';
import type { Replica } from '../replica';

export interface MlpReplicaArgs {
  seed: number;
  epochs: number;
  examples: number;
  batchSize: number;
  hashesFile?: string;
  /** Adds a BatchNormalization layer (running statistics: non-trainable weights rank 0 broadcasts every step). */
  batchNorm?: boolean;
}

/** FNV-1a over the float32 bytes of every weight, in order. */
export function weightsHash(model: tf.LayersModel): string {
  let h = 0x811c9dc5;
  for (const w of model.getWeights()) {
    const bytes = new Uint8Array((w.dataSync() as Float32Array).slice().buffer);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/** A callback collecting weightsHash and the live tensor count after every batch (written to `file` at the end). */
export function hashRecorder(model: tf.LayersModel, hashes: string[], file?: string, tensors: number[] = []): Callback {
  return {
    onTrainBatchEnd: () => {
      hashes.push(weightsHash(model));
      tensors.push(tf.memory().numTensors);
    },
    onFitEnd: () => (file ? fs.writeFileSync(file, JSON.stringify({ hashes, tensors })) : undefined),
  };
}

export function mlpModel(seed: number, batchNorm = false): tf.LayersModel {
  seedEverything(seed);
  if (!batchNorm) return tinyMlp();
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [4, 4, 1] }),
      tf.layers.dense({ units: 16 }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 3 }),
    ],
  });
}

export function mlpReplica(args: unknown): Replica {
  const a = args as MlpReplicaArgs;
  // A different seed than rank 0's: the weights it trains are rank 0's, broadcast when the fit starts.
  const model = mlpModel(a.seed + 1000, a.batchNorm);
  return {
    module: classificationModule(model),
    train: syntheticLoader(a.examples, 1, a.batchSize),
    trainer: { maxEpochs: a.epochs, optimizer: new Adam({ lr: 0.01 }), seed: a.seed },
    callbacks: [hashRecorder(model, [], a.hashesFile)],
    dispose: () => model.dispose(),
  };
}

/** A replica factory that fails in the worker (the test of how rank 0 reports it). */
export function failingReplica(): Replica {
  throw new Error('the data folder is not mounted on this worker');
}
