// Gradients of tf.conv2d as forward convolutions, so XNNPACK does the work:
// - the filter gradient is a convolution of the input with the output gradient, batch and channels swapped
//   (the input's channels become the batch, the batch becomes the reduction axis) and dilation = stride;
// - the input gradient is a stride-1 convolution of the stride-dilated output gradient with the flipped filter.
import * as tf from '@tensorflow/tfjs';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm_ops';

interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function assertNHWC(kernel: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') throw new Error(`wasm ${kernel}: dataFormat '${dataFormat}' is not supported, use 'NHWC'`);
}

export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
  assertNHWC('Conv2DBackpropFilter', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = info;
  const ops = new WasmOps(asWasm(backend));
  const xT = ops.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const dyT = ops.transpose(dy, [1, 2, 0, 3]); // [oh, ow, B, Co]: the "filter"
  const { top, left } = info.padInfo;
  const bottom = kh + (outHeight - 1) * sh - inHeight - top;
  const right = kw + (outWidth - 1) * sw - inWidth - left;
  const dW = ops.conv2d(xT, dyT, [1, 1], [sh, sw], [top, bottom, left, right]); // [Ci, kh, kw, Co]
  return ops.finish(ops.transpose(dW, [1, 2, 0, 3]));
}

export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
  assertNHWC('Conv2DBackpropInput', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
  const ops = new WasmOps(asWasm(backend));
  const flipped = ops.transpose(ops.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
  const dyD = ops.dilateSpatial(dy, [sh, sw]);
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = inHeight + kh - 1 - dyD.shape[1] - top;
  const right = inWidth + kw - 1 - dyD.shape[2] - left;
  return ops.finish(ops.conv2d(dyD, flipped, [1, 1], [1, 1], [top, bottom, left, right]));
}
