// Pooling gradients. MaxPoolGrad routes each output gradient to the first maximum of its window (the cpu backend's
// rule) in one pass over the window; AvgPoolGrad is a depthwise transposed convolution with a constant filter.
import * as tf from '@tensorflow/tfjs';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm_ops';

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
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const wasm = asWasm(backend);
  // Allocate first: growing the wasm heap detaches views taken before.
  const out = wasm.makeOutput(input.shape, 'float32');
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const best = new Float32Array(C);
  const bestAt = new Int32Array(C);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - info.padInfo.top;
      for (let ow = 0; ow < outWidth; ow++, o += C) {
        const w0 = ow * strideWidth - info.padInfo.left;
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let fh = 0; fh < filterHeight; fh++) {
          const h = h0 + fh;
          if (h < 0 || h >= H) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const w = w0 + fw;
            if (w < 0 || w >= W) continue;
            const base = ((b * H + h) * W + w) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                bestAt[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) if (bestAt[c] >= 0) dx[bestAt[c]] += g[o + c];
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
