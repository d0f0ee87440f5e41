// Gradients of tf.conv2d as XNNPACK convolutions and matrix products, each formulation used where it measured faster
// on HRNet's layers (one thread, batch 32; `npx nx run hrnet:bench -- --cfg w18_small_v1_32x32 --profile` prints the
// per-kernel times):
// - filter gradient: (a) a convolution of the input with the output gradient, batch and channels swapped (the
//   input's channels become the batch, the batch the reduction axis, dilation = stride); or (b) im2col: the input
//   windows as columns [kh*kw*Ci, rows] times dy [rows, Co]. (a) wins for few output channels (16 -> 16: 3.4 vs
//   7.4 ms), (b) otherwise (512 -> 1024 stride 2: 41 vs 69 ms; 1 -> 64, where (a) has a batch of one: 4.6 vs 32 ms).
// - input gradient: (a) a stride-1 convolution of dy with the flipped filter; or (b) col2im: dy [rows, Co] times
//   filter^T [Co, kh*kw*Ci], each row then added into its input window. (b) is used at stride > 1, where (a) would
//   first dilate dy with zeros and spend (stride^2 - 1) / stride^2 of its work on them (4x slower on HRNet's stride-2
//   3x3 convolutions), and when the filter outweighs dy (flipping it then costs more than the product).
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor, type NativeKernels } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * im2col / col2im buffers are filled a batch slice at a time to stay under `maxFloats` (64 MB); the C kernels use
 * blocks of about `nativeBlockFloats` (256 KB: stays in cache), the filter gradient of windows of `nativeWideWindow`
 * floats or more up to `nativeWideBlockFloats` (4 MB); filters of `nativeMaxFilter` values or more take the XNNPACK
 * formulations. Tests lower them.
 */
export const convGradLimits = {
  maxFloats: 1 << 24,
  nativeBlockFloats: 1 << 16,
  nativeWideWindow: 1024,
  nativeWideBlockFloats: 1 << 20,
  nativeMaxFilter: 1 << 20,
};

/** How many images one im2col / col2im buffer of `windowSize`-float rows holds within `convGradLimits`. */
function imagesPerSlice(info: tf.backend_util.Conv2DInfo, windowSize: number): number {
  return Math.max(1, Math.floor(convGradLimits.maxFloats / (info.outHeight * info.outWidth * windowSize)));
}

/** Images [b0, b0 + images) of a batch tensor (the tensor itself when that is all of it). */
function batchSlice(ops: WasmOps, t: Info, b0: number, images: number): Info {
  if (b0 === 0 && images === t.shape[0]) return t;
  return ops.slice(t, [b0, 0, 0, 0], [images, ...t.shape.slice(1)]);
}

/** Output pixels per im2col / col2im block of the C kernels. */
export function nativeRowsPerBlock(window: number): number {
  return Math.max(4, Math.floor(convGradLimits.nativeBlockFloats / window));
}

/**
 * Output pixels per im2col block of the filter gradient. Each block is one pass of the product over the whole
 * [window, Co] gradient, so wide windows get up to 256 rows (and up to 4 MB of scratch): with the 256 KB blocks,
 * HRNet's 3x3x512->1024 layer (window 4,608) made 18 passes over its 19 MB gradient and took 2.3x the CPU time of
 * the fallback's convolution. Narrower windows keep the blocks above (no more scratch for cnn and vit-tiny).
 */
function filterGradRowsPerBlock(window: number): number {
  const rows = nativeRowsPerBlock(window);
  return window < 1024
    ? rows
    : Math.max(rows, Math.min(256, Math.floor(convGradLimits.nativeWideBlockFloats / window)));
}

/**
 * Whether the C kernels compute this convolution's gradients: filters below 2^20 values. Above, the formulations
 * below on XNNPACK took less CPU time (and get its two threads): HRNet's 3x3x512->1024 stride 2 at batch 64, filter
 * gradient 83 vs 111 ms CPU, input gradient 88 vs 118; 1x1x1024->2048 37 vs 54 and 45 vs 56 (bench-kernels).
 */
export function nativeConvGrad(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight * info.filterWidth * info.inChannels * info.outChannels < convGradLimits.nativeMaxFilter;
}

/** The ConvShape struct of kernels.c. */
export function nativeConvShape(native: NativeKernels, info: tf.backend_util.Conv2DInfo): number {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return native.ints([
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    padInfo.top,
    padInfo.left,
  ]);
}

function assertNHWC(kernel: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') throw new Error(`wasm ${kernel}: dataFormat '${dataFormat}' is not supported, use 'NHWC'`);
}

export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as ConvGradAttrs & {
    filterShape: [number, number, number, number];
  };
  assertNHWC('Conv2DBackpropFilter', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const native = nativeKernelsFor(backend);
  if (native && x.dtype === 'float32' && dy.dtype === 'float32' && nativeConvGrad(info)) {
    const window = info.filterHeight * info.filterWidth * info.inChannels;
    const rowsPerBlock = filterGradRowsPerBlock(window);
    const size = window * info.outChannels;
    // Scratch: one im2col block per part, then the filter-gradient sums of parts 1, 2, ...
    const colFloats = native.parts * rowsPerBlock * window;
    const scratch = native.scratch(colFloats + (native.parts - 1) * size);
    const partials = scratch + 4 * colFloats;
    const dW = asWasm(backend).makeOutput(filterShape, 'float32');
    const work = size * info.batchSize * info.outHeight * info.outWidth;
    native.run(
      'conv2d_backprop_filter',
      [
        nativeConvShape(native, info),
        native.pointer(x),
        native.pointer(dy),
        native.pointer(dW),
        scratch,
        rowsPerBlock,
        partials,
      ],
      work,
    );
    // On this thread only (0 work): adding the partial sums is not idempotent, and small.
    if (native.parts > 1) native.run('add_parts', [native.pointer(dW), partials, native.parts - 1, size], 0);
    return dW;
  }
  const ops = new WasmOps(asWasm(backend));
  const swapped = info.outChannels <= 64 && info.inChannels >= 16;
  return ops.finish(swapped ? backpropFilterSwapped(ops, x, dy, info) : backpropFilterIm2Col(ops, x, dy, info));
}

function backpropFilterSwapped(ops: WasmOps, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const {
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: kh,
    filterWidth: kw,
    inHeight,
    inWidth,
    outHeight,
    outWidth,
  } = info;
  const xT = ops.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, B]
  const dyT = ops.transpose(dy, [1, 2, 0, 3]); // [oh, ow, B, Co]: the "filter"
  const { top, left } = info.padInfo;
  const bottom = kh + (outHeight - 1) * sh - inHeight - top;
  const right = kw + (outWidth - 1) * sw - inWidth - left;
  const dW = ops.conv2d(xT, dyT, [1, 1], [sh, sw], [top, bottom, left, right]); // [Ci, kh, kw, Co]
  return ops.transpose(dW, [1, 2, 0, 3]);
}

function backpropFilterIm2Col(ops: WasmOps, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: kh,
    filterWidth: kw,
  } = info;
  const { top, left } = info.padInfo;
  const windowSize = kh * kw * inChannels;
  const perSlice = imagesPerSlice(info, windowSize);
  let dW: Info | undefined;
  for (let b0 = 0; b0 < batchSize; b0 += perSlice) {
    const images = Math.min(perSlice, batchSize - b0);
    const rows = images * outHeight * outWidth;
    // Columns transposed, [window position, row], so that the product below is a 1x1 convolution. The window walk is
    // written out here and in col2im: through a shared visitor callback it ran 1.6x slower (the call is not inlined).
    const colsT = ops.zeros([1, 1, windowSize, rows]);
    const xValues = ops.backend.typedArrayFromHeap(x) as Float32Array;
    const colValues = ops.backend.typedArrayFromHeap(colsT) as Float32Array;
    let row = 0;
    for (let b = b0; b < b0 + images; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++, row++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - top + ky;
            if (iy < 0 || iy >= inHeight) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - left + kx;
              if (ix < 0 || ix >= inWidth) continue;
              const src = ((b * inHeight + iy) * inWidth + ix) * inChannels;
              let dst = (ky * kw + kx) * inChannels * rows + row;
              for (let c = 0; c < inChannels; c++, dst += rows) colValues[dst] = xValues[src + c];
            }
          }
        }
      }
    }
    const dySlice = batchSlice(ops, dy, b0, images);
    const part = ops.conv2d(colsT, ops.reshape(dySlice, [1, 1, rows, outChannels]), [1, 1], [1, 1], [0, 0, 0, 0]);
    ops.free(colsT);
    dW = dW === undefined ? part : ops.run('Add', { a: dW, b: part });
  }
  return ops.reshape(dW!, [kh, kw, inChannels, outChannels]);
}

export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as ConvGradAttrs & {
    inputShape: [number, number, number, number];
  };
  assertNHWC('Conv2DBackpropInput', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const native = nativeKernelsFor(backend);
  if (native && dy.dtype === 'float32' && filter.dtype === 'float32' && nativeConvGrad(info)) {
    const window = info.filterHeight * info.filterWidth * info.inChannels;
    const rowsPerBlock = nativeRowsPerBlock(window);
    // Scratch: the filter transposed to [Co, window], then one block of col2im rows per part.
    const filterFloats = window * info.outChannels;
    const scratch = native.scratch(filterFloats + native.parts * rowsPerBlock * window);
    const dx = asWasm(backend).makeOutput(inputShape, 'float32');
    native.fn.transpose_2d(native.pointer(filter), scratch, window, info.outChannels);
    const work = filterFloats * info.batchSize * info.outHeight * info.outWidth;
    native.run(
      'conv2d_backprop_input',
      [
        nativeConvShape(native, info),
        native.pointer(dy),
        scratch,
        native.pointer(dx),
        scratch + 4 * filterFloats,
        rowsPerBlock,
      ],
      work,
    );
    return dx;
  }
  const ops = new WasmOps(asWasm(backend));
  const stride1 = info.strideHeight === 1 && info.strideWidth === 1;
  const filterOutweighsDy = tf.util.sizeFromShape(filter.shape) > tf.util.sizeFromShape(dy.shape);
  return ops.finish(
    stride1 && !filterOutweighsDy
      ? backpropInputFlipped(ops, dy, filter, info)
      : backpropInputCol2Im(ops, dy, filter, info),
  );
}

function backpropInputFlipped(ops: WasmOps, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
  const flipped = ops.transpose(ops.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = inHeight + kh - 1 - dy.shape[1] - top;
  const right = inWidth + kw - 1 - dy.shape[2] - left;
  return ops.conv2d(dy, flipped, [1, 1], [1, 1], [top, bottom, left, right]);
}

function backpropInputCol2Im(ops: WasmOps, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: kh,
    filterWidth: kw,
  } = info;
  const { top, left } = info.padInfo;
  const windowSize = kh * kw * inChannels;
  const filter2d = ops.reshape(filter, [windowSize, outChannels]);
  let filterT: Info | undefined; // [1, 1, Co, kh*kw*Ci], made on first use
  const dx = ops.zeros([batchSize, inHeight, inWidth, inChannels]);
  const perSlice = imagesPerSlice(info, windowSize);
  for (let b0 = 0; b0 < batchSize; b0 += perSlice) {
    const images = Math.min(perSlice, batchSize - b0);
    const rows = images * outHeight * outWidth;
    const dySlice = ops.reshape(batchSlice(ops, dy, b0, images), [rows, outChannels]);
    // The product as a 1x1 convolution whose "filter" (which XNNPACK repacks on every call) is the smaller operand:
    // cols [rows, window] = dy filter^T when there are more rows than window positions (early layers), else
    // cols^T [window, rows] = filter dy^T (deep layers: a small batch of 2x2 maps against a 3x3x512 window).
    const transposed = rows < windowSize;
    let cols: Info;
    if (transposed) {
      const dyT = ops.reshape(ops.transpose(dySlice, [1, 0]), [1, 1, outChannels, rows]);
      cols = ops.conv2d(ops.reshape(filter2d, [1, 1, windowSize, outChannels]), dyT, [1, 1], [1, 1], [0, 0, 0, 0]);
    } else {
      filterT ??= ops.reshape(ops.transpose(filter2d, [1, 0]), [1, 1, outChannels, windowSize]);
      cols = ops.conv2d(ops.reshape(dySlice, [1, 1, rows, outChannels]), filterT, [1, 1], [1, 1], [0, 0, 0, 0]);
    }
    // Element (row, window position p) of cols sits at row * rowStride + p * positionStride.
    const [rowStride, positionStride] = transposed ? [1, rows] : [windowSize, 1];
    // Views are taken after the convolution: a growing wasm memory detaches older ones.
    const colValues = ops.backend.typedArrayFromHeap(cols) as Float32Array;
    const dxValues = ops.backend.typedArrayFromHeap(dx) as Float32Array;
    let row = 0;
    for (let b = b0; b < b0 + images; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        for (let ox = 0; ox < outWidth; ox++, row++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - top + ky;
            if (iy < 0 || iy >= inHeight) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * sw - left + kx;
              if (ix < 0 || ix >= inWidth) continue;
              let src = row * rowStride + (ky * kw + kx) * inChannels * positionStride;
              const dst = ((b * inHeight + iy) * inWidth + ix) * inChannels;
              for (let c = 0; c < inChannels; c++, src += positionStride) dxValues[dst + c] += colValues[src];
            }
          }
        }
      }
    }
    ops.free(cols);
  }
  return dx;
}
