// ConvNeXt-Tiny as torchvision.models.convnext_tiny, channels last: patchify stem (4x4 conv stride 4 + LayerNorm),
// stages of (3, 3, 9, 3) blocks of widths (96, 192, 384, 768), each block dw 7x7 conv -> LayerNorm -> Linear(4C)
// -> exact GELU -> Linear(C) -> layer scale (1e-6) -> stochastic depth (0.1 * block / (blocks - 1), training only)
// -> residual; LayerNorm + 2x2 stride-2 conv between stages; head: average pool, LayerNorm, Linear. LayerNorm eps 1e-6.
// Loads torchvision's names and timm's (`stem.0`, `stages.1.blocks.0.conv_dw`, `head.fc`, ...).
import * as tf from '@tensorflow/tfjs';
import { LayerNorm } from '../layers';
import type { ModelOptions } from '../registry';
import { activation, add, conv2d, globalAveragePool, inputAndClasses, linear } from './torch-builders';
import { LayerScale, StochasticDepth } from './torch-layers';
import { renameLayout, withPretrained } from './torch-weights';

type T = tf.SymbolicTensor;
const EPS = 1e-6;
const DEPTHS = [3, 3, 9, 3];
const DIMS = [96, 192, 384, 768];
const STOCHASTIC_DEPTH = 0.1;
const LAYER_SCALE = 1e-6;

const layerNorm = (x: T, name: string) => new LayerNorm({ epsilon: EPS, name }).apply(x) as T;

function cnBlock(x: T, name: string, sdRate: number): T {
  const dim = x.shape[3] as number;
  let y = conv2d(x, `${name}.block.0`, { filters: dim, kernel: 7, depthwise: true, bias: true });
  y = layerNorm(y, `${name}.block.2`);
  y = activation(linear(y, `${name}.block.3`, 4 * dim), 'gelu', `${name}_gelu`);
  y = linear(y, `${name}.block.5`, dim);
  y = new LayerScale({ initValue: LAYER_SCALE, name: `${name}.layer_scale` }).apply(y) as T;
  y = new StochasticDepth({ rate: sdRate, name: `${name}.stochastic_depth` }).apply(y) as T;
  return add(x, y, `${name}_add`);
}

/** timm's ConvNeXt names -> torchvision's; timm's gamma is [C], torchvision's layer_scale [C, 1, 1]. */
export function timmConvnextName(key: string): string {
  const rules: [RegExp, (...m: string[]) => string][] = [
    [/^stem\.([01])\./, (_, j) => `features.0.${j}.`],
    [/^stages\.(\d+)\.downsample\.([01])\./, (_, i, j) => `features.${2 * Number(i)}.${j}.`],
    [/^stages\.(\d+)\.blocks\.(\d+)\.gamma$/, (_, i, j) => `features.${2 * Number(i) + 1}.${j}.layer_scale`],
    [/^stages\.(\d+)\.blocks\.(\d+)\.conv_dw\./, (_, i, j) => `features.${2 * Number(i) + 1}.${j}.block.0.`],
    [/^stages\.(\d+)\.blocks\.(\d+)\.norm\./, (_, i, j) => `features.${2 * Number(i) + 1}.${j}.block.2.`],
    [/^stages\.(\d+)\.blocks\.(\d+)\.mlp\.fc1\./, (_, i, j) => `features.${2 * Number(i) + 1}.${j}.block.3.`],
    [/^stages\.(\d+)\.blocks\.(\d+)\.mlp\.fc2\./, (_, i, j) => `features.${2 * Number(i) + 1}.${j}.block.5.`],
    [/^head\.norm\./, () => 'classifier.0.'],
    [/^head\.fc\./, () => 'classifier.2.'],
  ];
  for (const [pattern, replace] of rules)
    if (pattern.test(key)) return key.replace(pattern, replace as (s: string, ...a: string[]) => string);
  return key;
}

/** timm's ConvNeXt state dicts: recognised by their `stem.` / `stages.` keys. */
export const timmConvnextLayout = renameLayout(
  'timm',
  (keys) => keys.some((k) => k.startsWith('stem.') || k.startsWith('stages.')),
  timmConvnextName,
  (key, t) => (key.endsWith('.layer_scale') && t.rank === 1 ? tf.reshape(t, [t.shape[0], 1, 1]) : t.clone()),
);

export function convnextTiny(options: ModelOptions = {}): tf.LayersModel {
  // Unpadded stride-4 stem and three stride-2 downsamplings: anything under 32x32 ends as 0x0 feature maps.
  const { inputShape, numClasses } = inputAndClasses(options, 'convnext_tiny', undefined, 32);
  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = layerNorm(
    conv2d(input, 'features.0.0', { filters: DIMS[0], kernel: 4, stride: 4, padding: 0, bias: true }),
    'features.0.1',
  );
  const totalBlocks = DEPTHS.reduce((a, b) => a + b, 0);
  let blockId = 0;
  DEPTHS.forEach((depth, stage) => {
    if (stage > 0) {
      x = layerNorm(x, `features.${2 * stage}.0`);
      x = conv2d(x, `features.${2 * stage}.1`, { filters: DIMS[stage], kernel: 2, stride: 2, padding: 0, bias: true });
    }
    for (let i = 0; i < depth; i++)
      x = cnBlock(x, `features.${2 * stage + 1}.${i}`, (STOCHASTIC_DEPTH * blockId++) / (totalBlocks - 1));
  });
  x = layerNorm(globalAveragePool(x, 'avgpool'), 'classifier.0');
  const logits = linear(x, 'classifier.2', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name: 'convnext_tiny' }), options, [
    timmConvnextLayout,
  ]);
}
