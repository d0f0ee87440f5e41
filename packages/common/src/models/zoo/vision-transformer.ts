// Vision Transformer as torchvision.models.VisionTransformer (vit_b_16: patch 16, 12 layers, 12 heads, width 768,
// MLP 3072, 224x224), channels last. Built from common's layers: PatchEmbedding (conv_proj), ClassTokenPosition
// (class_token + encoder.pos_embedding), pre-norm blocks of LayerNorm (eps 1e-6), MultiHeadSelfAttention
// (nn.MultiheadAttention's packed in_proj), Linear -> exact GELU -> Linear; final LayerNorm; head on the class token.
// Loads torchvision's names, torchvision's pre-0.13 MLP names (mlp.linear_1/2) and timm's (`blocks.0.attn.qkv`, ...).
import * as tf from '@tensorflow/tfjs';
import { ClassTokenPosition, LayerNorm, MultiHeadSelfAttention, PatchEmbedding, TakeToken } from '../layers';
import type { ModelOptions } from '../registry';
import { activation, add, inputAndClasses, linear } from './torch-builders';
import { renameLayout, withPretrained } from './torch-weights';

type T = tf.SymbolicTensor;
const EPS = 1e-6;

export interface VisionTransformerOptions extends ModelOptions {
  patchSize?: number;
  numLayers?: number;
  numHeads?: number;
  hiddenDim?: number;
  mlpDim?: number;
}

const layerNorm = (x: T, name: string) => new LayerNorm({ epsilon: EPS, name }).apply(x) as T;

function encoderBlock(x: T, name: string, numHeads: number, mlpDim: number): T {
  const attended = new MultiHeadSelfAttention({ numHeads, name: `${name}.self_attention` }).apply(
    layerNorm(x, `${name}.ln_1`),
  ) as T;
  const y = add(x, attended, `${name}_add1`);
  let h = activation(linear(layerNorm(y, `${name}.ln_2`), `${name}.mlp.0`, mlpDim), 'gelu', `${name}_gelu`);
  h = linear(h, `${name}.mlp.3`, y.shape[2] as number);
  return add(y, h, `${name}_add2`);
}

/** timm's ViT names -> torchvision's. */
export function timmVitName(key: string): string {
  const block = (i: string) => `encoder.layers.encoder_layer_${i}`;
  const rules: [RegExp, (...m: string[]) => string][] = [
    [/^cls_token$/, () => 'class_token'],
    [/^pos_embed$/, () => 'encoder.pos_embedding'],
    [/^patch_embed\.proj\./, () => 'conv_proj.'],
    [/^blocks\.(\d+)\.norm1\./, (_, i) => `${block(i)}.ln_1.`],
    [/^blocks\.(\d+)\.norm2\./, (_, i) => `${block(i)}.ln_2.`],
    [/^blocks\.(\d+)\.attn\.qkv\.(weight|bias)$/, (_, i, p) => `${block(i)}.self_attention.in_proj_${p}`],
    [/^blocks\.(\d+)\.attn\.proj\./, (_, i) => `${block(i)}.self_attention.out_proj.`],
    [/^blocks\.(\d+)\.mlp\.fc1\./, (_, i) => `${block(i)}.mlp.0.`],
    [/^blocks\.(\d+)\.mlp\.fc2\./, (_, i) => `${block(i)}.mlp.3.`],
    [/^norm\./, () => 'encoder.ln.'],
    [/^head\./, () => 'heads.head.'],
  ];
  for (const [pattern, replace] of rules)
    if (pattern.test(key)) return key.replace(pattern, replace as (s: string, ...a: string[]) => string);
  return key;
}

const TIMM_VIT = renameLayout('timm', (keys) => keys.includes('cls_token'), timmVitName);
const TORCHVISION_V1_VIT = renameLayout(
  'torchvision-v1',
  (keys) => keys.some((k) => k.includes('.mlp.linear_1.')),
  (key) => key.replace('.mlp.linear_1.', '.mlp.0.').replace('.mlp.linear_2.', '.mlp.3.'),
);

/** torchvision's VisionTransformer with any size; the defaults are vit_b_16's. */
export function visionTransformer(options: VisionTransformerOptions = {}, name = 'vision_transformer'): tf.LayersModel {
  const { inputShape, numClasses } = inputAndClasses(options, name);
  const { patchSize = 16, numLayers = 12, numHeads = 12, hiddenDim = 768, mlpDim = 3072 } = options;
  const [h, w] = inputShape;
  if (h % patchSize !== 0 || w % patchSize !== 0)
    throw new Error(`${name}: input ${h}x${w} is not divisible by patchSize ${patchSize}`);
  const input = tf.input({ shape: inputShape, name: 'image' });
  const patches = new PatchEmbedding({ patchSize, dim: hiddenDim, name: 'conv_proj' }).apply(input) as T;
  let x = new ClassTokenPosition({ initStddev: 0.02, name: 'encoder' }).apply(patches) as T;
  for (let i = 0; i < numLayers; i++) x = encoderBlock(x, `encoder.layers.encoder_layer_${i}`, numHeads, mlpDim);
  const cls = new TakeToken({ index: 0, name: 'class_token_out' }).apply(layerNorm(x, 'encoder.ln')) as T;
  const logits = linear(cls, 'heads.head', numClasses);
  return withPretrained(tf.model({ inputs: input, outputs: logits, name }), options, [TIMM_VIT, TORCHVISION_V1_VIT]);
}

export const vitB16 = (options: ModelOptions = {}) =>
  visionTransformer(
    { ...options, patchSize: 16, numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072 },
    'vit_b_16',
  );
