// MobileNetV3-Small as torchvision.models.mobilenet_v3_small: BatchNorm eps 1e-3 / torch momentum 0.01, hard swish,
// squeeze-excitation with ReLU and hard sigmoid, classifier Linear(576, 1024) hardswish dropout(0.2) Linear.
import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from '../registry';
import {
  activation,
  add,
  convNormAct,
  dropout,
  globalAveragePool,
  inputAndClasses,
  linear,
  makeDivisible,
  squeezeExcitation,
  type BatchNormSpec,
} from './torch-builders';
import { withPretrained } from './torch-weights';

type T = tf.SymbolicTensor;
const BN: BatchNormSpec = { epsilon: 1e-3, torchMomentum: 0.01 };

interface Bneck {
  kernel: number;
  expanded: number;
  out: number;
  se: boolean;
  act: 'relu' | 'hardswish';
  stride: number;
}

const bneck = (
  kernel: number,
  expanded: number,
  out: number,
  se: boolean,
  act: 'RE' | 'HS',
  stride: number,
): Bneck => ({ kernel, expanded, out, se, act: act === 'RE' ? 'relu' : 'hardswish', stride });

/** torchvision's _mobilenet_v3_conf("mobilenet_v3_small") (input channels follow from the previous block). */
const SMALL: Bneck[] = [
  bneck(3, 16, 16, true, 'RE', 2),
  bneck(3, 72, 24, false, 'RE', 2),
  bneck(3, 88, 24, false, 'RE', 1),
  bneck(5, 96, 40, true, 'HS', 2),
  bneck(5, 240, 40, true, 'HS', 1),
  bneck(5, 240, 40, true, 'HS', 1),
  bneck(5, 120, 48, true, 'HS', 1),
  bneck(5, 144, 48, true, 'HS', 1),
  bneck(5, 288, 96, true, 'HS', 2),
  bneck(5, 576, 96, true, 'HS', 1),
  bneck(5, 576, 96, true, 'HS', 1),
];

function invertedResidual(x: T, name: string, b: Bneck): T {
  const inChannels = x.shape[3] as number;
  let y = x;
  let i = 0;
  if (b.expanded !== inChannels)
    y = convNormAct(y, `${name}.block.${i++}`, { filters: b.expanded, kernel: 1, norm: BN, act: b.act });
  y = convNormAct(y, `${name}.block.${i++}`, {
    filters: b.expanded,
    kernel: b.kernel,
    stride: b.stride,
    depthwise: true,
    norm: BN,
    act: b.act,
  });
  if (b.se)
    y = squeezeExcitation(y, `${name}.block.${i++}`, makeDivisible(Math.floor(b.expanded / 4)), 'relu', 'hardsigmoid');
  y = convNormAct(y, `${name}.block.${i}`, { filters: b.out, kernel: 1, norm: BN, act: null });
  return b.stride === 1 && inChannels === b.out ? add(x, y, `${name}_add`) : y;
}

export function mobilenetV3Small(options: ModelOptions = {}): tf.LayersModel {
  const { inputShape, numClasses } = inputAndClasses(options, 'mobilenet_v3_small');
  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = convNormAct(input, 'features.0', { filters: 16, kernel: 3, stride: 2, norm: BN, act: 'hardswish' });
  SMALL.forEach((b, i) => (x = invertedResidual(x, `features.${i + 1}`, b)));
  const lastConv = 6 * SMALL[SMALL.length - 1].out;
  x = convNormAct(x, `features.${SMALL.length + 1}`, { filters: lastConv, kernel: 1, norm: BN, act: 'hardswish' });
  x = globalAveragePool(x, 'avgpool');
  x = activation(linear(x, 'classifier.0', 1024), 'hardswish', 'classifier.1');
  const logits = linear(dropout(x, 0.2, 'classifier.2'), 'classifier.3', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name: 'mobilenet_v3_small' }), options);
}
