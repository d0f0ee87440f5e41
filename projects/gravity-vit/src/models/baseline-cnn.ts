// The CNN baseline on the merged view, after Bahaadini et al. 2018 (Information Sciences 444, Table 5) as in the
// Gravity Spy code (gravityspy/ml/GS_utils.py build_cnn): four blocks of 5x5 'valid' convolution (16, 32, 64, 64
// kernels) + ReLU + 2x2 max pooling + dropout 0.5, then dense 256 + ReLU + dropout 0.5 and a linear layer to the
// classes (their L2 penalty 1e-4 is left to the optimizer's weight decay).
import * as tf from '@tensorflow/tfjs';
import { torchDefaultInit } from '@research/common';

export interface BaselineCnnOptions {
  /** Input [height, width, channels]: the merged view (280x340 at full resolution). */
  inputShape: [number, number, number];
  numClasses: number;
  filters?: number[];
  denseUnits?: number;
  dropout?: number;
}

export function baselineCnn(opts: BaselineCnnOptions): tf.LayersModel {
  const filters = opts.filters ?? [16, 32, 64, 64];
  const dropout = opts.dropout ?? 0.5;
  const input = tf.input({ shape: opts.inputShape, name: 'merged' });
  let x: tf.SymbolicTensor = input;
  let channels = opts.inputShape[2];
  filters.forEach((f, i) => {
    x = tf.layers
      .conv2d({
        filters: f,
        kernelSize: 5,
        padding: 'valid',
        activation: 'relu',
        name: `conv${i + 1}`,
        ...torchDefaultInit(25 * channels),
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
    if (dropout > 0) x = tf.layers.dropout({ rate: dropout, name: `drop${i + 1}` }).apply(x) as tf.SymbolicTensor;
    channels = f;
  });
  const [, h, w, c] = x.shape as number[];
  if (!(h > 0 && w > 0))
    throw new Error(
      `baselineCnn: input ${opts.inputShape.slice(0, 2).join('x')} is too small for ${filters.length} conv(5x5)+pool(2) blocks`,
    );
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units: opts.denseUnits ?? 256, activation: 'relu', name: 'fc', ...torchDefaultInit(h * w * c) })
    .apply(x) as tf.SymbolicTensor;
  if (dropout > 0) x = tf.layers.dropout({ rate: dropout, name: 'fc_drop' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: opts.numClasses, name: 'head', ...torchDefaultInit(opts.denseUnits ?? 256) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'baseline_cnn' });
}
