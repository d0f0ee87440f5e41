// Two small CNNs of our own that train in seconds to minutes on 28x28 / 32x32 grey or RGB images (any size divisible
// by 4). Named like a PyTorch nn.Sequential (`features.<i>`, `classifier...`), so the same weight loader reads
// their torch twins (scripts/golden/torchvision_zoo.py defines them).
//
// simple_cnn (≈140k parameters at 1 channel, 10 classes):
//   [conv3x3(32) BN ReLU] x2, maxpool 2 -> [conv3x3(64) BN ReLU] x2, maxpool 2 -> conv3x3(128) BN ReLU
//   -> global average pool -> dropout 0.3 -> Linear(128, classes)
// tiny_net (≈5k parameters):
//   conv3x3(16) BN ReLU maxpool 2 -> conv3x3(32) BN ReLU maxpool 2 -> global average pool -> Linear(32, classes)
import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from '../registry';
import {
  activation,
  batchNorm,
  conv2d,
  dropout,
  globalAveragePool,
  inputAndClasses,
  linear,
  TORCH_BATCH_NORM,
} from './torch-builders';
import { withPretrained } from './torch-weights';

type T = tf.SymbolicTensor;

/** One row of a features list: a conv block (conv, BN, ReLU: three torch indices) or a max pool (one index). */
type Step = number | 'pool';

function features(x: T, steps: Step[]): T {
  let index = 0;
  for (const step of steps) {
    if (step === 'pool') {
      x = tf.layers.maxPooling2d({ poolSize: 2, name: `features.${index++}` }).apply(x) as T;
      continue;
    }
    x = conv2d(x, `features.${index++}`, { filters: step, kernel: 3 });
    x = batchNorm(x, `features.${index++}`, TORCH_BATCH_NORM);
    x = activation(x, 'relu', `features.${index++}`);
  }
  return globalAveragePool(x, 'avgpool');
}

function smallCnn(name: string, steps: Step[], dropoutRate: number, options: ModelOptions): tf.LayersModel {
  const { inputShape, numClasses } = inputAndClasses(options, name, { inputShape: [28, 28, 1], numClasses: 10 });
  const input = tf.input({ shape: inputShape, name: 'image' });
  const pooled = features(input, steps);
  const logits =
    dropoutRate > 0
      ? linear(dropout(pooled, dropoutRate, 'classifier.0'), 'classifier.1', numClasses)
      : linear(pooled, 'classifier', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name }), options);
}

export const simpleCnn = (options: ModelOptions = {}) =>
  smallCnn('simple_cnn', [32, 32, 'pool', 64, 64, 'pool', 128], 0.3, options);
export const tinyNet = (options: ModelOptions = {}) => smallCnn('tiny_net', [16, 'pool', 32, 'pool'], 0, options);
