// EfficientNet-B0 as torchvision.models.efficientnet_b0: MBConv blocks with SiLU, squeeze-excitation (SiLU, sigmoid)
// squeezing to input_channels / 4, stochastic depth 0.2 scaled linearly with the block index (training only),
// BatchNorm eps 1e-5 / momentum 0.1 (torchvision's default for B0-B4), dropout 0.2 before the classifier.
import * as tf from '@tensorflow/tfjs';
import type { ModelOptions } from '../registry';
import {
  add,
  convNormAct,
  dropout,
  globalAveragePool,
  inputAndClasses,
  linear,
  makeDivisible,
  squeezeExcitation,
  TORCH_BATCH_NORM,
} from './torch-builders';
import { StochasticDepth } from './torch-layers';
import { withPretrained } from './torch-weights';

type T = tf.SymbolicTensor;
const BN = TORCH_BATCH_NORM;
const STOCHASTIC_DEPTH = 0.2;

/** [expand ratio, kernel, first stride, output channels, repeats] per stage (B0: width and depth 1.0). */
const B0: [number, number, number, number, number][] = [
  [1, 3, 1, 16, 1],
  [6, 3, 2, 24, 2],
  [6, 5, 2, 40, 2],
  [6, 3, 2, 80, 3],
  [6, 5, 1, 112, 3],
  [6, 5, 2, 192, 4],
  [6, 3, 1, 320, 1],
];

function mbConv(
  x: T,
  name: string,
  out: number,
  kernel: number,
  stride: number,
  expandRatio: number,
  sdRate: number,
): T {
  const inChannels = x.shape[3] as number;
  const expanded = makeDivisible(inChannels * expandRatio);
  let y = x;
  let i = 0;
  if (expanded !== inChannels)
    y = convNormAct(y, `${name}.block.${i++}`, { filters: expanded, kernel: 1, norm: BN, act: 'silu' });
  y = convNormAct(y, `${name}.block.${i++}`, {
    filters: expanded,
    kernel,
    stride,
    depthwise: true,
    norm: BN,
    act: 'silu',
  });
  y = squeezeExcitation(y, `${name}.block.${i++}`, Math.max(1, Math.floor(inChannels / 4)), 'silu', 'sigmoid');
  y = convNormAct(y, `${name}.block.${i}`, { filters: out, kernel: 1, norm: BN, act: null });
  if (stride !== 1 || inChannels !== out) return y;
  return add(x, new StochasticDepth({ rate: sdRate, name: `${name}.stochastic_depth` }).apply(y) as T, `${name}_add`);
}

export function efficientnetB0(options: ModelOptions = {}): tf.LayersModel {
  const { inputShape, numClasses } = inputAndClasses(options, 'efficientnet_b0');
  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = convNormAct(input, 'features.0', { filters: 32, kernel: 3, stride: 2, norm: BN, act: 'silu' });
  const totalBlocks = B0.reduce((n, stage) => n + stage[4], 0);
  let blockId = 0;
  B0.forEach(([expand, kernel, stride, out, repeats], stage) => {
    for (let i = 0; i < repeats; i++) {
      const sdRate = (STOCHASTIC_DEPTH * blockId++) / totalBlocks;
      x = mbConv(x, `features.${stage + 1}.${i}`, out, kernel, i === 0 ? stride : 1, expand, sdRate);
    }
  });
  x = convNormAct(x, `features.${B0.length + 1}`, { filters: 4 * 320, kernel: 1, norm: BN, act: 'silu' });
  x = dropout(globalAveragePool(x, 'avgpool'), 0.2, 'classifier.0');
  const logits = linear(x, 'classifier.1', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name: 'efficientnet_b0' }), options);
}
