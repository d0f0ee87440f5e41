// ResNet-18/34/50 as torchvision.models.resnet (v1.5: the stride of a bottleneck sits on its 3x3 conv), channels
// last. Layer names are torchvision's module paths, so torchvision/timm state dicts load as they are.
import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from '../registry';
import {
  activation,
  add,
  batchNorm,
  conv2d,
  globalAveragePool,
  inputAndClasses,
  linear,
  TORCH_BATCH_NORM,
} from './torch-builders';
import { withPretrained } from './torch-weights';

type T = tf.SymbolicTensor;
type BlockKind = 'basic' | 'bottleneck';

const EXPANSION: Record<BlockKind, number> = { basic: 1, bottleneck: 4 };
const BN = TORCH_BATCH_NORM;

function convBn(x: T, conv: string, bn: string, filters: number, kernel: number, stride = 1): T {
  return batchNorm(conv2d(x, conv, { filters, kernel, stride }), bn, BN);
}

function block(x: T, name: string, kind: BlockKind, planes: number, stride: number): T {
  const outChannels = planes * EXPANSION[kind];
  let y: T;
  if (kind === 'basic') {
    y = activation(convBn(x, `${name}.conv1`, `${name}.bn1`, planes, 3, stride), 'relu', `${name}_relu1`);
    y = convBn(y, `${name}.conv2`, `${name}.bn2`, planes, 3);
  } else {
    y = activation(convBn(x, `${name}.conv1`, `${name}.bn1`, planes, 1), 'relu', `${name}_relu1`);
    y = activation(convBn(y, `${name}.conv2`, `${name}.bn2`, planes, 3, stride), 'relu', `${name}_relu2`);
    y = convBn(y, `${name}.conv3`, `${name}.bn3`, outChannels, 1);
  }
  const needsProjection = stride !== 1 || (x.shape[3] as number) !== outChannels;
  const shortcut = needsProjection
    ? convBn(x, `${name}.downsample.0`, `${name}.downsample.1`, outChannels, 1, stride)
    : x;
  return activation(add(y, shortcut, `${name}_add`), 'relu', `${name}_relu`);
}

function resnet(name: string, kind: BlockKind, layers: number[], options: ModelOptions): tf.LayersModel {
  const { inputShape, numClasses } = inputAndClasses(options, name);
  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = activation(convBn(input, 'conv1', 'bn1', 64, 7, 2), 'relu', 'relu');
  // Zero padding equals torch's -inf padding here: the input is a ReLU output (>= 0).
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'maxpool_pad' }).apply(x) as T;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'maxpool' }).apply(x) as T;
  layers.forEach((count, stage) => {
    const planes = 64 * 2 ** stage;
    for (let i = 0; i < count; i++) x = block(x, `layer${stage + 1}.${i}`, kind, planes, i === 0 && stage > 0 ? 2 : 1);
  });
  const logits = linear(globalAveragePool(x, 'avgpool'), 'fc', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name }), options);
}

export const resnet18 = (options: ModelOptions = {}) => resnet('resnet18', 'basic', [2, 2, 2, 2], options);
export const resnet34 = (options: ModelOptions = {}) => resnet('resnet34', 'basic', [3, 4, 6, 3], options);
export const resnet50 = (options: ModelOptions = {}) => resnet('resnet50', 'bottleneck', [3, 4, 6, 3], options);
