// Vision Transformer: patch embedding, class token + learned positions, pre-norm encoder blocks, final norm, linear
// head on the class token. `vitTiny` is the reference ViT of ../shared/reference/torch_reference.py.
import * as tf from '@tensorflow/tfjs';
import {
  ClassTokenPosition,
  layerNorm,
  PatchEmbedding,
  TakeToken,
  torchDefaultInit,
  transformerEncoderBlock,
} from './layers';
import type { ModelOptions } from './registry';

export interface VitOptions extends ModelOptions {
  patchSize?: number;
  dim?: number;
  depth?: number;
  numHeads?: number;
  mlpDim?: number;
}

export function vit(options: VitOptions = {}): tf.LayersModel {
  const {
    inputShape = [28, 28, 1],
    numClasses = 10,
    patchSize = 7,
    dim = 64,
    depth = 4,
    numHeads = 4,
    mlpDim = 128,
  } = options;
  const [h, w] = inputShape;
  if (h % patchSize !== 0 || w % patchSize !== 0)
    throw new Error(`vit: input ${h}x${w} is not divisible by patchSize ${patchSize}`);
  const input = tf.input({ shape: inputShape, name: 'image' });
  const patches = new PatchEmbedding({ patchSize, dim, name: 'patch_embed' }).apply(input) as tf.SymbolicTensor;
  let x = new ClassTokenPosition({ name: 'cls_pos' }).apply(patches) as tf.SymbolicTensor;
  for (let i = 0; i < depth; i++) x = transformerEncoderBlock(x, { numHeads, mlpDim, name: `block${i}` });
  const cls = new TakeToken({ index: 0, name: 'cls_token' }).apply(layerNorm('norm').apply(x));
  const logits = tf.layers
    .dense({ units: numClasses, name: 'head', ...torchDefaultInit(dim) })
    .apply(cls) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'vit' });
}

/** The reference ViT: 28x28x1, patch 7, dim 64, depth 4, heads 4, MLP 128. */
export function vitTiny(options: ModelOptions = {}): tf.LayersModel {
  return vit({ patchSize: 7, dim: 64, depth: 4, numHeads: 4, mlpDim: 128, ...options });
}
