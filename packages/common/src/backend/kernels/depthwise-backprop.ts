// Gradients of tf.depthwiseConv2d (missing from the wasm backend) as forward depthwise convolutions.
import * as tf from '@tensorflow/tfjs';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

interface DepthwiseGradAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];

/** dx = depthwise convolution of the stride-dilated dy with the flipped filter (one channel per input*multiplier). */
export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseGradAttrs & {
    inputShape: Shape4;
  };
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as Shape4,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const [kh, kw, , mult] = filter.shape;
  const ops = new WasmOps(asWasm(backend));
  const flipped = ops.reshape(ops.reverse(filter, [0, 1]), [kh, kw, inChannels * mult, 1]);
  const dyD = ops.dilateSpatial(dy, [sh, sw]);
  const top = (kh - 1) * dh - info.padInfo.top;
  const left = (kw - 1) * dw - info.padInfo.left;
  const bottom = inHeight + (kh - 1) * dh - dyD.shape[1] - top;
  const right = inWidth + (kw - 1) * dw - dyD.shape[2] - left;
  const dx = ops.conv2d(dyD, flipped, [1, 1], [dh, dw], [top, bottom, left, right], true); // [B, H, W, C*M]
  if (mult === 1) return ops.finish(dx);
  return ops.finish(ops.sum(ops.reshape(dx, [batchSize, inHeight, inWidth, inChannels, mult]), [4]));
}

/**
 * dW[kh,kw,c,m] = sum_b,o x[b, o*s + k*d - p, c] dy[b, o, c*M+m]: a depthwise convolution over channels (c, b) of
 * x with dy as the filter (stride = dilation, dilation = stride), then a sum over b.
 */
export function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseGradAttrs & {
    filterShape: Shape4;
  };
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const {
    batchSize: b,
    inHeight,
    inWidth,
    inChannels: c,
    outHeight,
    outWidth,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = info;
  const [kh, kw, , mult] = filterShape;
  const ops = new WasmOps(asWasm(backend));
  const xT = ops.reshape(ops.transpose(x, [1, 2, 3, 0]), [1, inHeight, inWidth, c * b]);
  const dy5 = ops.reshape(dy, [b, outHeight, outWidth, c, mult]);
  const dyT = ops.reshape(ops.transpose(dy5, [1, 2, 3, 0, 4]), [outHeight, outWidth, c * b, mult]);
  const { top, left } = info.padInfo;
  const bottom = (kh - 1) * dh + (outHeight - 1) * sh + 1 - inHeight - top;
  const right = (kw - 1) * dw + (outWidth - 1) * sw + 1 - inWidth - left;
  const dW = ops.conv2d(xT, dyT, [dh, dw], [sh, sw], [top, bottom, left, right], true); // [1, kh, kw, C*B*M]
  return ops.finish(ops.sum(ops.reshape(dW, [kh, kw, c, b, mult]), [3]));
}
