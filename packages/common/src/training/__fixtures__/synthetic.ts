// Small synthetic classification data and models for the training tests and the resume child process.
import * as tf from '@tensorflow/tfjs';
import { DataLoader, ImageDataset } from '../../data';
import { createRng } from '../../random';

/** `n` random 4×4×1 images; the label (0, 1, 2) is the brightest third of the 16 pixels. Learnable by a small MLP. */
export function syntheticDataset(n: number, seed: number): ImageDataset {
  const rng = createRng(seed);
  const images = new Uint8Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const sums = [0, 0, 0];
    for (let p = 0; p < 16; p++) {
      const v = rng.int(256);
      images[i * 16 + p] = v;
      if (p < 15) sums[Math.floor(p / 5)] += v;
    }
    labels[i] = sums.indexOf(Math.max(...sums));
  }
  return new ImageDataset(images, labels, [4, 4, 1]);
}

export function syntheticLoader(n: number, seed: number, batchSize: number, shuffle = true): DataLoader {
  return new DataLoader(syntheticDataset(n, seed), { batchSize, seed, shuffle, prefetch: 0 });
}

/** flatten → dense(16, relu) → [dropout] → dense(3). Unseeded initializers: they draw from Math.random. */
export function tinyMlp(dropout = 0): tf.LayersModel {
  const layers: tf.layers.Layer[] = [
    tf.layers.flatten({ inputShape: [4, 4, 1] }),
    tf.layers.dense({ units: 16, activation: 'relu' }),
  ];
  if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout }));
  layers.push(tf.layers.dense({ units: 3 }));
  return tf.sequential({ layers });
}
