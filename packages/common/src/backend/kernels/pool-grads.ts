// Pooling gradients. MaxPoolGrad routes each output gradient to the first maximum of its window (the cpu backend's
// rule): in our C kernel (native/kernels.c), or without it in one JS pass over the windows (a formulation over wasm
// Slice/Equal/Concat kernels measured 3x slower);
// AvgPoolGrad is a depthwise transposed convolution with a constant filter.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

interface PoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Shape4 = [number, number, number, number];

export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as PoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const {
    batchSize,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
  } = info;
  const wasm = asWasm(backend);
  // Allocate first: growing the wasm heap detaches views taken before.
  const out = wasm.makeOutput(input.shape, 'float32');
  const { top, left } = info.padInfo;
  const native = nativeKernelsFor(backend);
  if (native) {
    const dims = [
      batchSize,
      H,
      W,
      C,
      outHeight,
      outWidth,
      filterHeight,
      filterWidth,
      strideHeight,
      strideWidth,
      top,
      left,
    ];
    native.run(
      'max_pool_grad',
      [native.pointer(input), native.pointer(dy), native.pointer(out), ...dims],
      tf.util.sizeFromShape(input.shape),
    );
    return out;
  }
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  // Per (window, channel): scan the window in row-major order keeping the first maximum (strict >), as cpu does.
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      const hLo = Math.max(0, h0);
      const hHi = Math.min(H, h0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - left;
        const wLo = Math.max(0, w0);
        const wHi = Math.min(W, w0 + filterWidth);
        for (let c = 0; c < C; c++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let h = hLo; h < hHi; h++) {
            for (let w = wLo, i = ((b * H + h) * W + wLo) * C + c; w < wHi; w++, i += C) {
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[o];
        }
      }
    }
  }
  return out;
}

export function avgPoolGrad({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, input } = inputs;
  const { filterSize, strides, pad } = attrs as unknown as PoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad);
  const { inHeight, inWidth, inChannels, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const ops = new WasmOps(asWasm(backend));
  // Like the cpu backend, every window position contributes 1/(kh*kw), padding included.
  const filter = ops.constant(new Float32Array(kh * kw * inChannels).fill(1 / (kh * kw)), [kh, kw, inChannels, 1]);
  const dyD = ops.dilateSpatial(dy, [sh, sw]);
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = inHeight + kh - 1 - dyD.shape[1] - top;
  const right = inWidth + kw - 1 - dyD.shape[2] - left;
  return ops.finish(ops.conv2d(dyD, filter, [1, 1], [1, 1], [top, bottom, left, right], true));
}
