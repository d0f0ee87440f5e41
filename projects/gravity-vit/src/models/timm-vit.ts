// A Vision Transformer with timm's layout and defaults (VisionTransformer, class-token pooling): layer names are
// timm's state_dict prefixes (patch_embed.proj, blocks.N.norm1, blocks.N.attn (qkv + proj), blocks.N.norm2,
// blocks.N.mlp.fc1/fc2, norm, head), LayerNorm eps 1e-6, exact GELU, so timm checkpoints load by name
// (timm-weights.ts). Built from common's layers: PatchEmbedding, ClassTokenPosition (cls_token + pos_embed),
// MultiHeadSelfAttention (packed qkv, proj), LayerNorm.
import * as tf from '@tensorflow/tfjs';
import {
  ClassTokenPosition,
  LayerNorm,
  MultiHeadSelfAttention,
  PatchEmbedding,
  TakeToken,
  torchDefaultInit,
} from '@research/common';

export interface TimmVitOptions {
  /** Input [height, width]; both divisible by patchSize. */
  imgSize: [number, number];
  patchSize: number;
  inChans: number;
  dim: number;
  depth: number;
  numHeads: number;
  /** MLP hidden size (timm: mlp_ratio x dim, 4 x dim by default). */
  mlpDim: number;
  /** Classes of the linear head; 0 = no head, the model returns the normalised class token [B, dim]. */
  numClasses: number;
  /** Dropout after the MLP's activation and on the residual branches (timm's proj_drop; 0 in its ViTs). */
  dropout?: number;
  name?: string;
}

/** The name of the layer holding `cls_token` and `pos_embed`. */
export const EMBED_LAYER = 'embed';

/** timm's ViT-B/16: dim 768, depth 12, heads 12, MLP 3072 (vit_base_patch16_224). */
export const VIT_BASE_PATCH16 = { patchSize: 16, dim: 768, depth: 12, numHeads: 12, mlpDim: 3072 } as const;

export function patchGrid(opts: Pick<TimmVitOptions, 'imgSize' | 'patchSize'>): [number, number] {
  const [h, w] = opts.imgSize;
  if (h % opts.patchSize !== 0 || w % opts.patchSize !== 0) {
    throw new Error(
      `timmVit: input ${h}x${w} is not divisible by patch size ${opts.patchSize} (choose a model input that is)`,
    );
  }
  return [h / opts.patchSize, w / opts.patchSize];
}

function block(x: tf.SymbolicTensor, i: number, opts: TimmVitOptions): tf.SymbolicTensor {
  const p = `blocks.${i}`;
  const drop = (t: tf.SymbolicTensor, name: string) =>
    opts.dropout ? (tf.layers.dropout({ rate: opts.dropout, name: `${p}.${name}` }).apply(t) as tf.SymbolicTensor) : t;
  const attended = new MultiHeadSelfAttention({ numHeads: opts.numHeads, name: `${p}.attn` }).apply(
    new LayerNorm({ epsilon: 1e-6, name: `${p}.norm1` }).apply(x),
  ) as tf.SymbolicTensor;
  const y = tf.layers.add({ name: `${p}.add1` }).apply([x, drop(attended, 'drop1')]) as tf.SymbolicTensor;
  const hidden = tf.layers
    .dense({ units: opts.mlpDim, activation: 'gelu', name: `${p}.mlp.fc1`, ...torchDefaultInit(opts.dim) })
    .apply(new LayerNorm({ epsilon: 1e-6, name: `${p}.norm2` }).apply(y)) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: opts.dim, name: `${p}.mlp.fc2`, ...torchDefaultInit(opts.mlpDim) })
    .apply(drop(hidden, 'mlp.drop')) as tf.SymbolicTensor;
  return tf.layers.add({ name: `${p}.add2` }).apply([y, drop(out, 'drop2')]) as tf.SymbolicTensor;
}

/** The ViT as a LayersModel: NHWC image [B, H, W, C] -> logits [B, numClasses] (or features [B, dim]). */
export function timmVit(opts: TimmVitOptions): tf.LayersModel {
  patchGrid(opts);
  const input = tf.input({ shape: [opts.imgSize[0], opts.imgSize[1], opts.inChans], name: 'image' });
  const patches = new PatchEmbedding({ patchSize: opts.patchSize, dim: opts.dim, name: 'patch_embed.proj' }).apply(
    input,
  ) as tf.SymbolicTensor;
  let x = new ClassTokenPosition({ initStddev: 0.02, name: EMBED_LAYER }).apply(patches) as tf.SymbolicTensor;
  for (let i = 0; i < opts.depth; i++) x = block(x, i, opts);
  const cls = new TakeToken({ index: 0, name: 'cls_pool' }).apply(
    new LayerNorm({ epsilon: 1e-6, name: 'norm' }).apply(x),
  ) as tf.SymbolicTensor;
  const output =
    opts.numClasses > 0
      ? (tf.layers
          .dense({ units: opts.numClasses, name: 'head', ...torchDefaultInit(opts.dim) })
          .apply(cls) as tf.SymbolicTensor)
      : cls;
  return tf.model({ inputs: input, outputs: output, name: opts.name ?? 'vit' });
}
