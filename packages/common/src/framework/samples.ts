// `train/samples` in TensorBoard at the start of a fit: the first training batch as the model sees it (augmented),
// un-normalised back to [0, 1], one grid labelled by class.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../data';
import type { Callback } from '../training';
import { imageGrid, SummaryWriter } from '../viz';

export function trainingSamplesCallback(
  source: BatchSource,
  norm: { mean: number[]; std: number[] },
  classNames: readonly string[],
  count = 16,
): Callback {
  return {
    async onFitStart(trainer) {
      if (!trainer.runDir || trainer.epoch > 0) return; // a resumed fit already has its samples
      for await (const batch of source.batches(0)) {
        try {
          const n = Math.min(count, batch.x.shape[0]);
          const images = tf.tidy(() => {
            const x = batch.x.slice(0, n) as tf.Tensor4D;
            const channels = x.shape[3];
            const mean = tf.tensor1d(norm.mean.slice(0, channels));
            const std = tf.tensor1d(norm.std.slice(0, channels));
            return tf.unstack(x.mul(std).add(mean).clipByValue(0, 1)) as tf.Tensor3D[];
          });
          const labels = Array.from(batch.y.dataSync())
            .slice(0, n)
            .map((k) => classNames[k] ?? String(k));
          const grid = imageGrid(images, { cols: Math.min(8, n), upscale: 2, labels });
          tf.dispose(images);
          const writer = new SummaryWriter(path.join(trainer.runDir, 'tensorboard'));
          writer.addImage('train/samples', grid.png as Buffer, 0);
          writer.close();
        } finally {
          tf.dispose(batch);
        }
        break;
      }
    },
  };
}
