// The reference CNN of ../shared/reference/torch_reference.py (225,034 parameters):
// 28x28x1 -> conv3x3(32) relu -> maxpool2 -> conv3x3(64) relu -> maxpool2 -> dense128 relu -> dense10 (logits).
import * as tf from '@tensorflow/tfjs';
import { torchDefaultInit } from './layers';
import type { ModelOptions } from './registry';

export function referenceCnn(options: ModelOptions = {}): tf.LayersModel {
  const { inputShape = [28, 28, 1], numClasses = 10 } = options;
  const channels = inputShape[2];
  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, activation: 'relu', name: 'conv1', ...torchDefaultInit(9 * channels) })
    .apply(input);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x);
  x = tf.layers
    .conv2d({ filters: 64, kernelSize: 3, activation: 'relu', name: 'conv2', ...torchDefaultInit(9 * 32) })
    .apply(x);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x);
  x = tf.layers.flatten({ name: 'flatten' }).apply(x);
  const flat = (x as tf.SymbolicTensor).shape[1] as number;
  x = tf.layers.dense({ units: 128, activation: 'relu', name: 'fc1', ...torchDefaultInit(flat) }).apply(x);
  const logits = tf.layers
    .dense({ units: numClasses, name: 'fc2', ...torchDefaultInit(128) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'reference_cnn' });
}
