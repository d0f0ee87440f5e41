// MobileNetV2 as torchvision.models.mobilenet_v2 (width 1.0): inverted residuals with ReLU6, BatchNorm eps 1e-5 /
// momentum 0.1, dropout 0.2 before the classifier. Layer names are torchvision's module paths.
import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from '../registry';
import {
  add,
  batchNorm,
  conv2d,
  convNormAct,
  dropout,
  globalAveragePool,
  inputAndClasses,
  linear,
  TORCH_BATCH_NORM,
} from './torch-builders';
import { withPretrained } from './torch-weights';

type T = tf.SymbolicTensor;
const BN = TORCH_BATCH_NORM;

/** [expand ratio t, output channels c, repeats n, first stride s], as torchvision's inverted_residual_setting. */
const SETTING: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

function invertedResidual(x: T, name: string, outChannels: number, stride: number, expandRatio: number): T {
  const inChannels = x.shape[3] as number;
  const hidden = Math.round(inChannels * expandRatio);
  let y = x;
  let i = 0;
  if (expandRatio !== 1)
    y = convNormAct(y, `${name}.conv.${i++}`, { filters: hidden, kernel: 1, norm: BN, act: 'relu6' });
  y = convNormAct(y, `${name}.conv.${i++}`, {
    filters: hidden,
    kernel: 3,
    stride,
    depthwise: true,
    norm: BN,
    act: 'relu6',
  });
  y = conv2d(y, `${name}.conv.${i++}`, { filters: outChannels, kernel: 1 });
  y = batchNorm(y, `${name}.conv.${i}`, BN);
  return stride === 1 && inChannels === outChannels ? add(x, y, `${name}_add`) : y;
}

export function mobilenetV2(options: ModelOptions = {}): tf.LayersModel {
  const { inputShape, numClasses } = inputAndClasses(options, 'mobilenet_v2');
  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = convNormAct(input, 'features.0', { filters: 32, kernel: 3, stride: 2, norm: BN, act: 'relu6' });
  let index = 1;
  for (const [t, c, n, s] of SETTING) {
    for (let i = 0; i < n; i++) x = invertedResidual(x, `features.${index++}`, c, i === 0 ? s : 1, t);
  }
  x = convNormAct(x, `features.${index}`, { filters: 1280, kernel: 1, norm: BN, act: 'relu6' });
  x = dropout(globalAveragePool(x, 'avgpool'), 0.2, 'classifier.0');
  const logits = linear(x, 'classifier.1', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name: 'mobilenet_v2' }), options);
}
