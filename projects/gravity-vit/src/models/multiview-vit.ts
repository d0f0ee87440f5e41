// The multi-view ViT: one shared ViT encoder (timm layout, so pretrained timm weights load into it) over the four
// windows, a learned embedding per window, cross-attention fusion with one learned query per class (2 layers, 8
// heads, dropout 0.1 by default), and a head giving each class its logit from its own fused query.
// Outputs [logits [B, classes], viewAttention [B, classes, views]] (the last fusion layer's attention, mean over heads).
import * as tf from '@tensorflow/tfjs';
import { LayerNorm, torchDefaultInit } from '@research/common';
import { ClassQueries, CrossAttentionBlock, PerClassLinear } from './fusion';
import { type TimmVitOptions, timmVit } from './timm-vit';
import { FoldViews, UnfoldViews, ViewEmbedding } from './view-layers';

export interface MultiviewVitOptions {
  views: number;
  numClasses: number;
  /** The shared encoder (its numClasses is ignored: it returns features). */
  encoder: Omit<TimmVitOptions, 'numClasses' | 'name'>;
  fusion: { layers: number; heads: number; mlpDim: number; dropout: number };
  /** Hidden size of the head's shared MLP. */
  headDim: number;
}

/** The name of the nested encoder model (load timm weights into `model.getLayer(ENCODER_NAME)`). */
export const ENCODER_NAME = 'encoder';

export function multiviewVit(opts: MultiviewVitOptions): tf.LayersModel {
  const { encoder: enc, fusion } = opts;
  if (enc.dim % fusion.heads !== 0)
    throw new Error(`multiviewVit: encoder dim ${enc.dim} is not divisible by ${fusion.heads} fusion heads`);
  const encoder = timmVit({ ...enc, numClasses: 0, name: ENCODER_NAME });
  const input = tf.input({ shape: [opts.views, enc.imgSize[0], enc.imgSize[1], enc.inChans], name: 'views' });
  const folded = new FoldViews({ name: 'fold_views' }).apply(input) as tf.SymbolicTensor;
  const features = encoder.apply(folded) as tf.SymbolicTensor; // [B*V, D]
  let tokens = new UnfoldViews({ views: opts.views, name: 'unfold_views' }).apply(features) as tf.SymbolicTensor;
  tokens = new ViewEmbedding({ name: 'view_embed' }).apply(tokens) as tf.SymbolicTensor;
  let queries = new ClassQueries({ numQueries: opts.numClasses, name: 'class_queries' }).apply(
    tokens,
  ) as tf.SymbolicTensor;
  let attention: tf.SymbolicTensor | undefined;
  for (let l = 0; l < fusion.layers; l++) {
    const block = new CrossAttentionBlock({
      numHeads: fusion.heads,
      mlpDim: fusion.mlpDim,
      dropout: fusion.dropout,
      name: `fusion.${l}`,
    });
    [queries, attention] = block.apply([queries, tokens]) as tf.SymbolicTensor[];
  }
  if (!attention) throw new Error('multiviewVit: fusion.layers must be >= 1');
  let h = new LayerNorm({ epsilon: 1e-6, name: 'head.norm' }).apply(queries) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ units: opts.headDim, activation: 'gelu', name: 'head.fc1', ...torchDefaultInit(enc.dim) })
    .apply(h) as tf.SymbolicTensor;
  if (fusion.dropout > 0)
    h = tf.layers.dropout({ rate: fusion.dropout, name: 'head.drop' }).apply(h) as tf.SymbolicTensor;
  const logits = new PerClassLinear({ name: 'head.classes' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [logits, attention], name: 'multiview_vit' });
}
