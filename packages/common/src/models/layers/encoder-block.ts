// The pre-norm transformer encoder block of PyTorch's TransformerEncoderLayer(norm_first=True, dropout=0):
//   x = x + attention(norm1(x));  x = x + linear2(gelu(linear1(norm2(x))))
import * as tf from '@tensorflow/tfjs';
import { MultiHeadSelfAttention } from './attention';
import './gelu'; // registers the fused 'gelu' activation the MLP below names
import { LayerNorm } from './layer-norm';
import { torchDefaultInit } from './torch-init';

export interface EncoderBlockOptions {
  numHeads: number;
  mlpDim: number;
  /** Layer-norm epsilon (PyTorch's default 1e-5). */
  epsilon?: number;
  /** MLP activation; 'gelu' is the exact (erf) GELU. */
  activation?: 'gelu' | 'gelu_new' | 'relu';
  /** Prefix of the layer names. */
  name: string;
}

/** Layer normalisation over the last axis with PyTorch's epsilon. */
export function layerNorm(name: string, epsilon = 1e-5): tf.layers.Layer {
  return new LayerNorm({ epsilon, name });
}

/** Applies one pre-norm encoder block to a [B, N, D] symbolic tensor. */
export function transformerEncoderBlock(x: tf.SymbolicTensor, options: EncoderBlockOptions): tf.SymbolicTensor {
  const { numHeads, mlpDim, epsilon = 1e-5, activation = 'gelu', name } = options;
  const dim = x.shape[2] as number;
  const attended = new MultiHeadSelfAttention({ numHeads, name: `${name}_attn` }).apply(
    layerNorm(`${name}_norm1`, epsilon).apply(x),
  );
  const y = tf.layers.add({ name: `${name}_add1` }).apply([x, attended as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const hidden = tf.layers
    .dense({ units: mlpDim, activation, name: `${name}_mlp1`, ...torchDefaultInit(dim) })
    .apply(layerNorm(`${name}_norm2`, epsilon).apply(y));
  const out = tf.layers.dense({ units: dim, name: `${name}_mlp2`, ...torchDefaultInit(mlpDim) }).apply(hidden);
  return tf.layers.add({ name: `${name}_add2` }).apply([y, out as tf.SymbolicTensor]) as tf.SymbolicTensor;
}
