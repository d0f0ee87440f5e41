// ONNX converters of the multi-view ViT's own layers (the encoder's layers are common's): view folding as Reshape,
// the view embedding and class queries as Add / Expand, the cross-attention block as MatMul + Softmax per head with
// its two outputs (queries, attention averaged over heads), and the per-class head as Mul + ReduceSum. Registered on
// import (models/index.ts), so `export` of a gravity-vit run converts every layer.
import {
  onnxAttr as attr,
  onnxLayerNorm,
  onnxReduceMean,
  registerOnnxConverter,
  type ConvertContext,
  type OnnxValue,
} from '@research/common';
import type * as tf from '@tensorflow/tfjs';

/** The layer's weights by the name they were added with (`fusion.0/q_kernel` -> `q_kernel`). */
function weightsByName(ctx: ConvertContext): Record<string, tf.Tensor> {
  const values = ctx.layer.getWeights();
  const out: Record<string, tf.Tensor> = {};
  ctx.layer.weights.forEach((w, i) => (out[w.originalName.split('/').pop() as string] = values[i]));
  return out;
}

/** The batch size of `x` as a 1-element int64 value. */
function batchOf(ctx: ConvertContext, x: string): string {
  const g = ctx.graph;
  return g.op('Slice', [g.op('Shape', [x], {}, ctx.hint('shape')), g.int64([0]), g.int64([1])], {}, ctx.hint('batch'));
}

/** [B, V, ...rest] -> [B*V, ...rest]. */
function foldViews(ctx: ConvertContext): OnnxValue {
  const rest = ctx.inputs[0].shape.slice(2);
  if (rest.some((d) => d === null)) ctx.fail(`the view shape [${rest.join(', ')}] must be known`);
  const y = ctx.graph.op(
    'Reshape',
    [ctx.input(0, 'tf'), ctx.graph.int64([-1, ...(rest as number[])])],
    {},
    ctx.hint('fold'),
  );
  return ctx.output(y, 'tf');
}

/** [B*V, D] -> [B, V, D]. */
function unfoldViews(ctx: ConvertContext): OnnxValue {
  const [, views, d] = ctx.outputShapes[0] as number[];
  const y = ctx.graph.op('Reshape', [ctx.input(0, 'tf'), ctx.graph.int64([-1, views, d])], {}, ctx.hint('unfold'));
  return ctx.output(y, 'tf');
}

function viewEmbedding(ctx: ConvertContext): OnnxValue {
  const [embedding] = ctx.layer.getWeights();
  return ctx.output(
    ctx.graph.op('Add', [ctx.input(0, 'tf'), ctx.weight(embedding, 'embedding')], {}, ctx.hint('add')),
    'tf',
  );
}

/** The learned queries [1, Q, D] expanded over the batch of the view tokens. */
function classQueries(ctx: ConvertContext): OnnxValue {
  const [queries] = ctx.layer.getWeights();
  const g = ctx.graph;
  const [, q, d] = queries.shape;
  const shape = g.op(
    'Concat',
    [batchOf(ctx, ctx.input(0, 'tf')), g.int64([q, d])],
    { axis: attr.int(0) },
    ctx.hint('shape'),
  );
  return ctx.output(g.op('Expand', [ctx.weight(queries, 'queries'), shape], {}, ctx.hint('expand')), 'tf');
}

/**
 * [queries [B, Q, D], views [B, V, D]] -> [queries', attention [B, Q, V]]: pre-norm multi-head cross-attention and
 * MLP (exact GELU), residuals around both; dropout is the identity at inference.
 */
function crossAttentionBlock(ctx: ConvertContext): OnnxValue[] {
  const w = weightsByName(ctx);
  const heads = (ctx.layer.getConfig() as { numHeads: number }).numHeads;
  const d = w.q_kernel.shape[0];
  const dh = d / heads;
  const g = ctx.graph;
  const h = (s: string) => ctx.hint(s);
  const wt = (name: string) => ctx.weight(w[name], name);
  const linear = (x: string, name: string) =>
    g.op('Add', [g.op('MatMul', [x, wt(`${name}_kernel`)], {}, h(name)), wt(`${name}_bias`)], {}, h(name));
  const norm = (x: string, name: string) =>
    onnxLayerNorm(g, x, wt(`${name}_gamma`), wt(`${name}_beta`), 1e-6, ctx.opset, h(name));
  const q = ctx.input(0, 'tf');
  const kv = ctx.input(1, 'tf');
  // [B, n, D] -> [B, H, n, dh]
  const split = (x: string, name: string) =>
    g.op(
      'Transpose',
      [g.op('Reshape', [x, g.int64([0, 0, heads, dh])], {}, h(name))],
      { perm: attr.ints([0, 2, 1, 3]) },
      h(name),
    );
  const query = split(linear(norm(q, 'norm_q'), 'q'), 'query');
  const packed = g.op('Reshape', [linear(norm(kv, 'norm_kv'), 'kv'), g.int64([0, 0, 2, heads, dh])], {}, h('kv_heads'));
  const perHead = g.op('Transpose', [packed], { perm: attr.ints([2, 0, 3, 1, 4]) }, h('kv_heads'));
  const [key, value] = [0, 1].map((i) =>
    g.op('Gather', [perHead, g.int64([i], [])], { axis: attr.int(0) }, h(['key', 'value'][i])),
  );
  const scaled = g.op('Mul', [query, g.scalar(1 / Math.sqrt(dh), h('scale'))], {}, h('q_scaled'));
  const keyT = g.op('Transpose', [key], { perm: attr.ints([0, 1, 3, 2]) }, h('key_t'));
  const probs = g.op('Softmax', [g.op('MatMul', [scaled, keyT], {}, h('scores'))], { axis: attr.int(-1) }, h('probs'));
  const context = g.op(
    'Reshape',
    [
      g.op(
        'Transpose',
        [g.op('MatMul', [probs, value], {}, h('context'))],
        { perm: attr.ints([0, 2, 1, 3]) },
        h('merge'),
      ),
      g.int64([0, 0, d]),
    ],
    {},
    h('merge'),
  );
  const attended = g.op('Add', [q, linear(context, 'out')], {}, h('residual1'));
  const hidden = ctx.activation(linear(norm(attended, 'norm2'), 'fc1'), 'gelu');
  const out = g.op('Add', [attended, linear(hidden, 'fc2')], {}, h('residual2'));
  const attention = onnxReduceMean(g, probs, [1], ctx.opset, h('attention'), false);
  return [ctx.output(out, 'tf', 0), ctx.output(attention, 'tf', 1)];
}

/** logit_q = sum_d x[b, q, d] kernel[q, d] + bias[q] (ReduceSum takes its axes as an input from opset 13). */
function perClassLinear(ctx: ConvertContext): OnnxValue {
  const [kernel, bias] = ctx.layer.getWeights();
  const g = ctx.graph;
  const product = g.op('Mul', [ctx.input(0, 'tf'), ctx.weight(kernel, 'kernel')], {}, ctx.hint('mul'));
  const sum = g.op('ReduceSum', [product, g.int64([2])], { keepdims: attr.int(0) }, ctx.hint('sum'));
  return ctx.output(g.op('Add', [sum, ctx.weight(bias, 'bias')], {}, ctx.hint('bias')), 'tf');
}

registerOnnxConverter('FoldViews', foldViews);
registerOnnxConverter('UnfoldViews', unfoldViews);
registerOnnxConverter('ViewEmbedding', viewEmbedding);
registerOnnxConverter('ClassQueries', classQueries);
registerOnnxConverter('CrossAttentionBlock', crossAttentionBlock);
registerOnnxConverter('PerClassLinear', perClassLinear);
