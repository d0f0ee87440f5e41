// Converters of tfjs' core layers: Dense, activations, dropout (identity), reshaping, merges, normalisation.
import * as tf from '@tensorflow/tfjs';
import { onnxAxis, registerOnnxConverter, type ConvertContext, type Layout, type OnnxValue } from '../converter';
import { attr } from '../onnx-graph';
import { layerNormalization, reduce } from '../ops';

/** A layer's serialised config, for reading options the converters need. */
export function config(ctx: ConvertContext): Record<string, unknown> {
  return ctx.layer.getConfig() as Record<string, unknown>;
}

/** The layout shared by all inputs: channels first if the first one is and all are rank 4, else tfjs'. */
function commonLayout(ctx: ConvertContext): Layout {
  const rank4 = ctx.inputs.every((v) => v.shape.length === 4);
  return rank4 && ctx.inputs[0].layout === 'nchw' ? 'nchw' : 'tf';
}

/** Applies an activation to a value kept in its layout (softmax's axis follows the layout). */
function activate(ctx: ConvertContext, x: OnnxValue, name: string, axis = -1): OnnxValue {
  return ctx.output(ctx.activation(x.name, name, onnxAxis(x, axis)), x.layout);
}

function dense(ctx: ConvertContext): OnnxValue {
  const c = config(ctx);
  const [kernel, bias] = ctx.layer.getWeights();
  const x = ctx.input(0, 'tf');
  const rank = ctx.inputs[0].shape.length;
  const w = ctx.weight(kernel, 'kernel');
  let y: string;
  if (rank === 2) {
    y = ctx.graph.op('Gemm', c.useBias ? [x, w, ctx.weight(bias, 'bias')] : [x, w], {}, ctx.hint('gemm'));
  } else {
    y = ctx.graph.op('MatMul', [x, w], {}, ctx.hint('matmul'));
    if (c.useBias) y = ctx.graph.op('Add', [y, ctx.weight(bias, 'bias')], {}, ctx.hint('bias'));
  }
  return activate(ctx, { name: y, layout: 'tf', shape: ctx.outputShapes[0] }, c.activation as string);
}

function identity(ctx: ConvertContext): OnnxValue {
  return ctx.inputs[0];
}

function activationLayer(ctx: ConvertContext): OnnxValue {
  return activate(ctx, { ...ctx.inputs[0], shape: ctx.outputShapes[0] }, config(ctx).activation as string);
}

function relu(ctx: ConvertContext): OnnxValue {
  const maxValue = config(ctx).maxValue as number | null | undefined;
  const x = ctx.inputs[0];
  if (maxValue === null || maxValue === undefined) return activate(ctx, x, 'relu');
  const y = ctx.graph.op('Clip', [x.name, ctx.graph.scalar(0), ctx.graph.scalar(maxValue)], {}, ctx.hint('relu'));
  return ctx.output(y, x.layout);
}

function leakyRelu(ctx: ConvertContext): OnnxValue {
  const x = ctx.inputs[0];
  return ctx.output(
    ctx.graph.op('LeakyRelu', [x.name], { alpha: attr.float(config(ctx).alpha as number) }, ctx.hint('leaky')),
    x.layout,
  );
}

function elu(ctx: ConvertContext): OnnxValue {
  const x = ctx.inputs[0];
  return ctx.output(
    ctx.graph.op('Elu', [x.name], { alpha: attr.float(config(ctx).alpha as number) }, ctx.hint('elu')),
    x.layout,
  );
}

function softmax(ctx: ConvertContext): OnnxValue {
  const axis = config(ctx).axis as number | number[];
  if (Array.isArray(axis) && axis.length !== 1) ctx.fail(`softmax over several axes (${axis}) has no ONNX Softmax`);
  return activate(ctx, ctx.inputs[0], 'softmax', Array.isArray(axis) ? axis[0] : axis);
}

function flatten(ctx: ConvertContext): OnnxValue {
  return ctx.output(ctx.graph.op('Flatten', [ctx.input(0, 'tf')], { axis: attr.int(1) }, ctx.hint('flatten')), 'tf');
}

function reshape(ctx: ConvertContext): OnnxValue {
  const target = config(ctx).targetShape as number[];
  // 0 copies the (dynamic) batch size from the input.
  const y = ctx.graph.op('Reshape', [ctx.input(0, 'tf'), ctx.graph.int64([0, ...target])], {}, ctx.hint('reshape'));
  return ctx.output(y, 'tf');
}

function permute(ctx: ConvertContext): OnnxValue {
  const dims = config(ctx).dims as number[];
  const y = ctx.graph.op('Transpose', [ctx.input(0, 'tf')], { perm: attr.ints([0, ...dims]) }, ctx.hint('permute'));
  return ctx.output(y, 'tf');
}

/** n-ary elementwise layers: ONNX's variadic op, or a chain of binary ones. */
function merge(op: string, variadic: boolean) {
  return (ctx: ConvertContext): OnnxValue => {
    const layout = commonLayout(ctx);
    const names = ctx.inputs.map((_, i) => ctx.input(i, layout));
    if (variadic) return ctx.output(ctx.graph.op(op, names, {}, ctx.hint(op.toLowerCase())), layout);
    const y = names.slice(1).reduce((acc, n) => ctx.graph.op(op, [acc, n], {}, ctx.hint(op.toLowerCase())), names[0]);
    return ctx.output(y, layout);
  };
}

function concatenate(ctx: ConvertContext): OnnxValue {
  const layout = commonLayout(ctx);
  const names = ctx.inputs.map((_, i) => ctx.input(i, layout));
  const axis = onnxAxis({ ...ctx.inputs[0], layout }, config(ctx).axis as number);
  return ctx.output(ctx.graph.op('Concat', names, { axis: attr.int(axis) }, ctx.hint('concat')), layout);
}

/** Batch norm over the last tfjs axis: the BatchNormalization op on images (foldable), a scale and shift otherwise. */
function batchNormalization(ctx: ConvertContext): OnnxValue {
  const layer = ctx.layer as unknown as {
    gamma?: tf.LayerVariable;
    beta?: tf.LayerVariable;
    movingMean: tf.LayerVariable;
    movingVariance: tf.LayerVariable;
  };
  const c = config(ctx);
  const rank = ctx.inputs[0].shape.length;
  const axis = c.axis as number;
  if (axis !== -1 && axis !== rank - 1)
    ctx.fail(`batch normalisation over axis ${axis} (only the last, channel axis is supported)`);
  const epsilon = c.epsilon as number;
  const channels = ctx.inputs[0].shape[rank - 1] as number;
  const gamma = layer.gamma ? layer.gamma.read() : tf.ones([channels]);
  const beta = layer.beta ? layer.beta.read() : tf.zeros([channels]);
  const mean = layer.movingMean.read();
  const variance = layer.movingVariance.read();
  if (rank === 4) {
    const inputs = [
      ctx.input(0, 'nchw'),
      ctx.weight(gamma, 'gamma'),
      ctx.weight(beta, 'beta'),
      ctx.weight(mean, 'moving_mean'),
      ctx.weight(variance, 'moving_variance'),
    ];
    return ctx.output(
      ctx.graph.op('BatchNormalization', inputs, { epsilon: attr.float(epsilon) }, ctx.hint('bn')),
      'nchw',
    );
  }
  const [scale, shift] = tf.tidy(() => {
    const s = tf.div(gamma, tf.sqrt(tf.add(variance, epsilon)));
    return [s, tf.sub(beta, tf.mul(mean, s))];
  });
  const y = ctx.graph.op('Mul', [ctx.input(0, 'tf'), ctx.weight(scale, 'scale')], {}, ctx.hint('bn'));
  const out = ctx.graph.op('Add', [y, ctx.weight(shift, 'shift')], {}, ctx.hint('bn'));
  tf.dispose([scale, shift, ...(layer.gamma ? [] : [gamma]), ...(layer.beta ? [] : [beta])]);
  return ctx.output(out, 'tf');
}

/**
 * common's GroupNorm on images as PyTorch exports nn.GroupNorm below opset 18: [N, C, H, W] reshaped to [N, G, C/G*H*W],
 * InstanceNormalization (unit scale, zero bias) normalises each group, then the per-channel scale and shift.
 */
function groupNorm(ctx: ConvertContext): OnnxValue {
  const layer = ctx.layer as unknown as {
    groups: number;
    epsilon: number;
    gamma: tf.LayerVariable;
    beta: tf.LayerVariable;
  };
  const shape = ctx.inputs[0].shape;
  if (shape.length !== 4) ctx.fail(`group normalisation of a rank-${shape.length} input (images [N, H, W, C] only)`);
  const [, h, w, channels] = shape as number[];
  const g = ctx.graph;
  const grouped = g.op('Reshape', [ctx.input(0, 'nchw'), g.int64([0, layer.groups, -1])], {}, ctx.hint('group'));
  const unit = (value: number, hint: string) =>
    g.floatInitializer(ctx.hint(hint), new Float32Array(layer.groups).fill(value), [layer.groups]);
  const normalised = g.op(
    'InstanceNormalization',
    [grouped, unit(1, 'unit_scale'), unit(0, 'zero_bias')],
    { epsilon: attr.float(layer.epsilon) },
    ctx.hint('norm'),
  );
  const images = g.op('Reshape', [normalised, g.int64([0, channels, h, w])], {}, ctx.hint('ungroup'));
  const scaled = g.op(
    'Mul',
    [images, ctx.weight(layer.gamma.read(), 'gamma', { shape: [channels, 1, 1] })],
    {},
    ctx.hint('scale'),
  );
  const out = g.op(
    'Add',
    [scaled, ctx.weight(layer.beta.read(), 'beta', { shape: [channels, 1, 1] })],
    {},
    ctx.hint('shift'),
  );
  return ctx.output(out, 'nchw');
}

/** tfjs' LayerNormalization over the last axis. */
function tfjsLayerNormalization(ctx: ConvertContext): OnnxValue {
  const c = config(ctx);
  const rank = ctx.inputs[0].shape.length;
  const axes = (Array.isArray(c.axis) ? c.axis : [c.axis]) as number[];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1))
    ctx.fail(`layer normalisation over axes [${axes}] (only the last axis is supported)`);
  const dim = ctx.inputs[0].shape[rank - 1] as number;
  const layer = ctx.layer as unknown as { gamma?: tf.LayerVariable; beta?: tf.LayerVariable };
  const gamma = layer.gamma
    ? ctx.weight(layer.gamma.read(), 'gamma')
    : ctx.graph.floatInitializer(ctx.hint('gamma'), new Float32Array(dim).fill(1), [dim]);
  const beta = layer.beta
    ? ctx.weight(layer.beta.read(), 'beta')
    : ctx.graph.floatInitializer(ctx.hint('beta'), new Float32Array(dim), [dim]);
  const y = layerNormalization(
    ctx.graph,
    ctx.input(0, 'tf'),
    gamma,
    beta,
    c.epsilon as number,
    ctx.opset,
    ctx.hint('ln'),
  );
  return ctx.output(y, 'tf');
}

/** [B, steps, C] -> [B, C]. */
function globalPooling1d(op: 'ReduceMean' | 'ReduceMax') {
  return (ctx: ConvertContext): OnnxValue =>
    ctx.output(reduce(ctx.graph, op, ctx.input(0, 'tf'), [1], ctx.opset, ctx.hint('pool'), false), 'tf');
}

registerOnnxConverter('Dense', dense);
registerOnnxConverter('GlobalAveragePooling1D', globalPooling1d('ReduceMean'));
registerOnnxConverter('GlobalMaxPooling1D', globalPooling1d('ReduceMax'));
registerOnnxConverter('Activation', activationLayer);
registerOnnxConverter('ReLU', relu);
registerOnnxConverter('LeakyReLU', leakyRelu);
registerOnnxConverter('ELU', elu);
registerOnnxConverter('Softmax', softmax);
for (const name of ['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']) {
  registerOnnxConverter(name, identity);
}
registerOnnxConverter('Flatten', flatten);
registerOnnxConverter('Reshape', reshape);
registerOnnxConverter('Permute', permute);
registerOnnxConverter('Add', merge('Sum', true));
registerOnnxConverter('Average', merge('Mean', true));
registerOnnxConverter('Maximum', merge('Max', true));
registerOnnxConverter('Minimum', merge('Min', true));
registerOnnxConverter('Multiply', merge('Mul', false));
registerOnnxConverter('Concatenate', concatenate);
registerOnnxConverter('BatchNormalization', batchNormalization);
registerOnnxConverter('LayerNormalization', tfjsLayerNormalization);
registerOnnxConverter('GroupNorm', groupNorm);
