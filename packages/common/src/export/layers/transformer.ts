// Converters of common's ViT layers (models/layers): patch embedding as a strided Conv, class token + positions,
// token selection, layer norm, and multi-head self-attention as MatMul + Softmax.
import { registerOnnxConverter, type ConvertContext, type OnnxValue } from '../converter';
import { attr } from '../onnx-graph';
import { layerNormalization } from '../ops';
import { config } from './core';

/** [B, H, W, C] -> Conv(kernel = stride = p) -> [B, dim, gh, gw] -> [B, gh*gw, dim] (row-major patches). */
function patchEmbedding(ctx: ConvertContext): OnnxValue {
  const { patchSize, dim } = config(ctx) as { patchSize: number; dim: number };
  const [kernel, bias] = ctx.layer.getWeights();
  const w = ctx.weight(kernel, 'kernel', { perm: [3, 2, 0, 1] });
  const g = ctx.graph;
  const conv = g.op(
    'Conv',
    [ctx.input(0, 'nchw'), w, ctx.weight(bias, 'bias')],
    { kernel_shape: attr.ints([patchSize, patchSize]), strides: attr.ints([patchSize, patchSize]) },
    ctx.hint('conv'),
  );
  const flat = g.op('Reshape', [conv, g.int64([0, dim, -1])], {}, ctx.hint('flatten'));
  return ctx.output(g.op('Transpose', [flat], { perm: attr.ints([0, 2, 1]) }, ctx.hint('tokens')), 'tf');
}

/** concat([cls broadcast to the batch, x], 1) + pos. */
function classTokenPosition(ctx: ConvertContext): OnnxValue {
  const [cls, pos] = ctx.layer.getWeights();
  const g = ctx.graph;
  const x = ctx.input(0, 'tf');
  const d = cls.shape[2] as number;
  const batch = g.op(
    'Slice',
    [g.op('Shape', [x], {}, ctx.hint('shape')), g.int64([0]), g.int64([1])],
    {},
    ctx.hint('batch'),
  );
  const clsShape = g.op('Concat', [batch, g.int64([1, d])], { axis: attr.int(0) }, ctx.hint('cls_shape'));
  const tokens = g.op('Expand', [ctx.weight(cls, 'cls'), clsShape], {}, ctx.hint('cls'));
  const joined = g.op('Concat', [tokens, x], { axis: attr.int(1) }, ctx.hint('concat'));
  return ctx.output(g.op('Add', [joined, ctx.weight(pos, 'pos')], {}, ctx.hint('pos')), 'tf');
}

function takeToken(ctx: ConvertContext): OnnxValue {
  const index = config(ctx).index as number;
  const y = ctx.graph.op(
    'Gather',
    [ctx.input(0, 'tf'), ctx.graph.int64([index], [])],
    { axis: attr.int(1) },
    ctx.hint('take'),
  );
  return ctx.output(y, 'tf');
}

function layerNorm(ctx: ConvertContext): OnnxValue {
  const [gamma, beta] = ctx.layer.getWeights();
  const epsilon = config(ctx).epsilon as number;
  const y = layerNormalization(
    ctx.graph,
    ctx.input(0, 'tf'),
    ctx.weight(gamma, 'gamma'),
    ctx.weight(beta, 'beta'),
    epsilon,
    ctx.opset,
    ctx.hint('ln'),
  );
  return ctx.output(y, 'tf');
}

/**
 * qkv = x W + b -> [B, N, 3, H, dh] -> [3, B, H, N, dh]; softmax(q k^T / sqrt(dh)) v per head; heads merged back
 * to [B, N, D] and projected.
 */
function multiHeadSelfAttention(ctx: ConvertContext): OnnxValue {
  const heads = config(ctx).numHeads as number;
  const [qkvKernel, qkvBias, outKernel, outBias] = ctx.layer.getWeights();
  const d = outKernel.shape[0];
  const dh = d / heads;
  const g = ctx.graph;
  const h = (s: string) => ctx.hint(s);
  const x = ctx.input(0, 'tf');
  const qkv = g.op(
    'Add',
    [g.op('MatMul', [x, ctx.weight(qkvKernel, 'qkv_kernel')], {}, h('qkv')), ctx.weight(qkvBias, 'qkv_bias')],
    {},
    h('qkv'),
  );
  const split = g.op('Reshape', [qkv, g.int64([0, 0, 3, heads, dh])], {}, h('heads'));
  const perHead = g.op('Transpose', [split], { perm: attr.ints([2, 0, 3, 1, 4]) }, h('heads'));
  const [q, k, v] = [0, 1, 2].map((i) =>
    g.op('Gather', [perHead, g.int64([i], [])], { axis: attr.int(0) }, h(['q', 'k', 'v'][i])),
  );
  const scaled = g.op('Mul', [q, g.scalar(1 / Math.sqrt(dh), h('scale'))], {}, h('q_scaled'));
  const kT = g.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) }, h('k_t'));
  const probs = g.op('Softmax', [g.op('MatMul', [scaled, kT], {}, h('scores'))], { axis: attr.int(-1) }, h('probs'));
  const context = g.op('MatMul', [probs, v], {}, h('context'));
  const merged = g.op(
    'Reshape',
    [g.op('Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) }, h('merge')), g.int64([0, 0, d])],
    {},
    h('merge'),
  );
  const out = g.op(
    'Add',
    [g.op('MatMul', [merged, ctx.weight(outKernel, 'out_kernel')], {}, h('out')), ctx.weight(outBias, 'out_bias')],
    {},
    h('out'),
  );
  return ctx.output(out, 'tf');
}

registerOnnxConverter('PatchEmbedding', patchEmbedding);
registerOnnxConverter('ClassTokenPosition', classTokenPosition);
registerOnnxConverter('TakeToken', takeToken);
registerOnnxConverter('LayerNorm', layerNorm);
registerOnnxConverter('MultiHeadSelfAttention', multiHeadSelfAttention);
