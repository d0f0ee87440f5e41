// Converters of tfjs' image layers, computed channels first: convolutions (weights HWIO -> OIHW), pooling,
// upsampling (Resize), zero padding. TF's 'same' padding becomes explicit pads (the extra pixel at the end).
import type * as tf from '@tensorflow/tfjs';
import { registerOnnxConverter, type ConvertContext, type OnnxValue } from '../converter';
import { attr } from '../onnx-graph';
import { config } from './core';

/** tfjs kernels are [kh, kw, in, out] (transposed convolutions: [kh, kw, out, in]); ONNX wants [out, in, kh, kw]. */
const HWIO_TO_OIHW = [3, 2, 0, 1];

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number]);

function checkChannelsLast(ctx: ConvertContext): void {
  const format = config(ctx).dataFormat;
  if (format !== undefined && format !== 'channelsLast')
    ctx.fail(`dataFormat '${format}' (only channelsLast is supported)`);
}

/** ONNX pads [top, left, bottom, right] of TF padding for input size `size`. */
export function tfPads(
  ctx: ConvertContext,
  padding: unknown,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') ctx.fail(`padding '${String(padding)}' (expected 'same' or 'valid')`);
  const [, h, w] = ctx.inputs[0].shape;
  if (h === null || w === null) ctx.fail(`'same' padding needs a fixed input size, got ${h}x${w}`);
  const total = [h as number, w as number].map((size, i) => {
    const out = Math.ceil(size / strides[i]);
    return Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size, 0);
  });
  return [
    Math.floor(total[0] / 2),
    Math.floor(total[1] / 2),
    total[0] - Math.floor(total[0] / 2),
    total[1] - Math.floor(total[1] / 2),
  ];
}

/** Conv with bias and activation; `kernel` names the OIHW initializer. */
function emitConv(ctx: ConvertContext, kernel: string, bias: tf.Tensor | null, group: number): OnnxValue {
  const c = config(ctx);
  const k = pair(c.kernelSize);
  const strides = pair(c.strides ?? 1);
  const dilations = pair(c.dilationRate ?? 1);
  const inputs = [ctx.input(0, 'nchw'), kernel];
  if (bias) inputs.push(ctx.weight(bias, 'bias'));
  const y = ctx.graph.op(
    'Conv',
    inputs,
    {
      kernel_shape: attr.ints(k),
      strides: attr.ints(strides),
      dilations: attr.ints(dilations),
      pads: attr.ints(tfPads(ctx, c.padding, k, strides, dilations)),
      group: attr.int(group),
    },
    ctx.hint('conv'),
  );
  return ctx.output(ctx.activation(y, (c.activation as string | undefined) ?? 'linear', 1), 'nchw');
}

function conv2d(ctx: ConvertContext): OnnxValue {
  checkChannelsLast(ctx);
  const [kernel, bias] = ctx.layer.getWeights();
  const oihw = ctx.weight(kernel, 'kernel', { perm: HWIO_TO_OIHW });
  return emitConv(ctx, oihw, config(ctx).useBias ? bias : null, 1);
}

/** Depthwise: [kh, kw, C, m] -> [C*m, 1, kh, kw] with group = C (output channel c*m + j, as in tfjs). */
function depthwiseConv2d(ctx: ConvertContext): OnnxValue {
  checkChannelsLast(ctx);
  const [kernel, bias] = ctx.layer.getWeights();
  const [kh, kw, channels, multiplier] = kernel.shape;
  const oihw = ctx.weight(kernel, 'kernel', { shape: [kh, kw, channels * multiplier, 1], perm: [2, 3, 0, 1] });
  return emitConv(ctx, oihw, config(ctx).useBias ? bias : null, channels);
}

/** Separable: the depthwise convolution, then a 1x1 convolution (with the bias and activation). */
function separableConv2d(ctx: ConvertContext): OnnxValue {
  checkChannelsLast(ctx);
  const c = config(ctx);
  const [depthwise, pointwise, bias] = ctx.layer.getWeights();
  const [kh, kw, channels, multiplier] = depthwise.shape;
  const k = pair(c.kernelSize);
  const strides = pair(c.strides ?? 1);
  const dilations = pair(c.dilationRate ?? 1);
  const dwShape = [kh, kw, channels * multiplier, 1];
  const dw = ctx.weight(depthwise, 'depthwise_kernel', { shape: dwShape, perm: [2, 3, 0, 1] });
  const pw = ctx.weight(pointwise, 'pointwise_kernel', { perm: HWIO_TO_OIHW });
  const g = ctx.graph;
  const depth = g.op(
    'Conv',
    [ctx.input(0, 'nchw'), dw],
    {
      kernel_shape: attr.ints(k),
      strides: attr.ints(strides),
      dilations: attr.ints(dilations),
      pads: attr.ints(tfPads(ctx, c.padding, k, strides, dilations)),
      group: attr.int(channels),
    },
    ctx.hint('depthwise'),
  );
  const point = g.op(
    'Conv',
    c.useBias ? [depth, pw, ctx.weight(bias, 'bias')] : [depth, pw],
    { kernel_shape: attr.ints([1, 1]) },
    ctx.hint('pointwise'),
  );
  return ctx.output(ctx.activation(point, (c.activation as string | undefined) ?? 'linear', 1), 'nchw');
}

/** Transposed conv: tfjs kernel [kh, kw, out, in] -> ONNX [in, out, kh, kw]; output_padding makes tfjs' size. */
function conv2dTranspose(ctx: ConvertContext): OnnxValue {
  checkChannelsLast(ctx);
  const c = config(ctx);
  const [kernel, bias] = ctx.layer.getWeights();
  const k = pair(c.kernelSize);
  const strides = pair(c.strides ?? 1);
  const dilations = pair(c.dilationRate ?? 1);
  if (dilations.some((d) => d !== 1)) ctx.fail('dilated transposed convolution');
  const [, h, w] = ctx.inputs[0].shape as number[];
  const [, outH, outW] = ctx.outputShapes[0] as number[];
  const pads = [0, 0, 0, 0];
  const outputPadding = [0, 0];
  [h, w].forEach((size, i) => {
    const out = [outH, outW][i];
    const total = c.padding === 'same' ? Math.max(0, (size - 1) * strides[i] + k[i] - out) : 0;
    pads[i] = Math.floor(total / 2);
    pads[i + 2] = total - pads[i];
    outputPadding[i] = out - ((size - 1) * strides[i] + k[i] - total);
  });
  const inputs = [ctx.input(0, 'nchw'), ctx.weight(kernel, 'kernel', { perm: HWIO_TO_OIHW })];
  if (c.useBias) inputs.push(ctx.weight(bias, 'bias'));
  const y = ctx.graph.op(
    'ConvTranspose',
    inputs,
    {
      kernel_shape: attr.ints(k),
      strides: attr.ints(strides),
      pads: attr.ints(pads),
      output_padding: attr.ints(outputPadding),
    },
    ctx.hint('deconv'),
  );
  return ctx.output(ctx.activation(y, (c.activation as string | undefined) ?? 'linear', 1), 'nchw');
}

function pooling(op: 'MaxPool' | 'AveragePool') {
  return (ctx: ConvertContext): OnnxValue => {
    checkChannelsLast(ctx);
    const c = config(ctx);
    const k = pair(c.poolSize);
    const strides = pair(c.strides ?? c.poolSize);
    // AveragePool's default count_include_pad=0 matches TF, which averages over the valid pixels only.
    const y = ctx.graph.op(
      op,
      [ctx.input(0, 'nchw')],
      { kernel_shape: attr.ints(k), strides: attr.ints(strides), pads: attr.ints(tfPads(ctx, c.padding, k, strides)) },
      ctx.hint('pool'),
    );
    return ctx.output(y, 'nchw');
  };
}

function globalPooling(op: 'GlobalAveragePool' | 'GlobalMaxPool') {
  return (ctx: ConvertContext): OnnxValue => {
    checkChannelsLast(ctx);
    const pooled = ctx.graph.op(op, [ctx.input(0, 'nchw')], {}, ctx.hint('pool'));
    return ctx.output(ctx.graph.op('Flatten', [pooled], { axis: attr.int(1) }, ctx.hint('flatten')), 'tf');
  };
}

/** tfjs resizes with align_corners = half_pixel_centers = false: ONNX's 'asymmetric' coordinates, floor for nearest. */
function upSampling2d(ctx: ConvertContext): OnnxValue {
  checkChannelsLast(ctx);
  const c = config(ctx);
  const [sh, sw] = pair(c.size);
  const nearest = c.interpolation !== 'bilinear';
  const scales = ctx.graph.floatInitializer(ctx.hint('scales'), new Float32Array([1, 1, sh, sw]), [4]);
  const attributes = {
    mode: attr.string(nearest ? 'nearest' : 'linear'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    ...(nearest ? { nearest_mode: attr.string('floor') } : {}),
  };
  return ctx.output(ctx.graph.op('Resize', [ctx.input(0, 'nchw'), '', scales], attributes, ctx.hint('resize')), 'nchw');
}

function zeroPadding2d(ctx: ConvertContext): OnnxValue {
  checkChannelsLast(ctx);
  const [[top, bottom], [left, right]] = config(ctx).padding as [[number, number], [number, number]];
  const pads = ctx.graph.int64([0, 0, top, left, 0, 0, bottom, right]);
  return ctx.output(
    ctx.graph.op('Pad', [ctx.input(0, 'nchw'), pads], { mode: attr.string('constant') }, ctx.hint('pad')),
    'nchw',
  );
}

registerOnnxConverter('Conv2D', conv2d);
registerOnnxConverter('DepthwiseConv2D', depthwiseConv2d);
registerOnnxConverter('SeparableConv2D', separableConv2d);
registerOnnxConverter('Conv2DTranspose', conv2dTranspose);
registerOnnxConverter('MaxPooling2D', pooling('MaxPool'));
registerOnnxConverter('AveragePooling2D', pooling('AveragePool'));
registerOnnxConverter('GlobalAveragePooling2D', globalPooling('GlobalAveragePool'));
registerOnnxConverter('GlobalMaxPooling2D', globalPooling('GlobalMaxPool'));
registerOnnxConverter('UpSampling2D', upSampling2d);
registerOnnxConverter('ZeroPadding2D', zeroPadding2d);
