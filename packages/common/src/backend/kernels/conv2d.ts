// Conv2D forward as im2col + our C GEMM where that measured faster than XNNPACK's convolution (bench-kernels), every
// other convolution goes to the wasm backend's own kernel.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { nativeConvShape, nativeRowsPerBlock } from './conv-backprop';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

/**
 * Whether our im2col product runs this convolution: patchifying ones (stride = filter size, no dilation, as ViT's
 * patch embedding), where im2col is a plain gather. bench-kernels, CPU ms (XNNPACK's on 2 threads / ours on 1):
 * [64,28,28,1] by 7x7x64 stride 7 1.45 / 0.40; XNNPACK is as fast or faster on overlapping windows
 * (3x3x1x32 stride 1 2.5 / 2.8, 3x3x512x1024 stride 2 121 / 126).
 */
export function useNativeConv2D(info: tf.backend_util.Conv2DInfo): boolean {
  const { dilationHeight, dilationWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  return dilationHeight === 1 && dilationWidth === 1 && strideHeight === filterHeight && strideWidth === filterWidth;
}

export function conv2D({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, filter } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dilations: [number, number] | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const native = nativeKernelsFor(backend);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
  );
  if (
    !native ||
    x.dtype !== 'float32' ||
    filter.dtype !== 'float32' ||
    dataFormat !== 'NHWC' ||
    !useNativeConv2D(info)
  ) {
    const ops = new WasmOps(asWasm(backend));
    return ops.finish(ops.runOriginal('Conv2D', { x, filter }, attrs));
  }
  const window = info.filterHeight * info.filterWidth * info.inChannels;
  const rowsPerBlock = nativeRowsPerBlock(window);
  const scratch = native.scratch(native.parts * rowsPerBlock * window);
  const out = asWasm(backend).makeOutput(info.outShape, 'float32');
  const work = tf.util.sizeFromShape(info.outShape) * window;
  native.run(
    'conv2d_forward',
    [
      nativeConvShape(native, info),
      native.pointer(x),
      native.pointer(filter),
      native.pointer(out),
      scratch,
      rowsPerBlock,
    ],
    work,
  );
  return out;
}
