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
import { GroupNorm } from '../layers/group-norm';
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

/** BatchNorm (the default) or GroupNorm of `groups` groups: what Opacus' ModuleValidator.fix puts in BN's place for DP-SGD. */
type Norm = 'batch' | { groups: number };

function features(x: T, steps: Step[], norm: Norm): T {
  let index = 0;
  for (const step of steps) {
    if (step === 'pool') {
      x = tf.layers.maxPooling2d({ poolSize: 2, name: `features.${index++}` }).apply(x) as T;
      continue;
    }
    x = conv2d(x, `features.${index++}`, { filters: step, kernel: 3 });
    x =
      norm === 'batch'
        ? batchNorm(x, `features.${index++}`, TORCH_BATCH_NORM)
        : (new GroupNorm({ groups: norm.groups, name: `features.${index++}` }).apply(x) as T);
    x = activation(x, 'relu', `features.${index++}`);
  }
  return globalAveragePool(x, 'avgpool');
}

function smallCnn(
  name: string,
  steps: Step[],
  dropoutRate: number,
  options: ModelOptions,
  norm: Norm = 'batch',
): tf.LayersModel {
  const { inputShape, numClasses } = inputAndClasses(options, name, { inputShape: [28, 28, 1], numClasses: 10 });
  const input = tf.input({ shape: inputShape, name: 'image' });
  const pooled = features(input, steps, norm);
  const logits =
    dropoutRate > 0
      ? linear(dropout(pooled, dropoutRate, 'classifier.0'), 'classifier.1', numClasses)
      : linear(pooled, 'classifier', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name }), options);
}

export const simpleCnn = (options: ModelOptions = {}) =>
  smallCnn('simple_cnn', [32, 32, 'pool', 64, 64, 'pool', 128], 0.3, options);
/** simple_cnn with GroupNorm(8) in place of each BatchNorm: trainable with trainer_type dp. */
export const simpleCnnGn = (options: ModelOptions = {}) =>
  smallCnn('simple_cnn_gn', [32, 32, 'pool', 64, 64, 'pool', 128], 0.3, options, { groups: 8 });
export const tinyNet = (options: ModelOptions = {}) => smallCnn('tiny_net', [16, 'pool', 32, 'pool'], 0, options);
