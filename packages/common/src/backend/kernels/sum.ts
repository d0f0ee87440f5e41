// Sum over leading axes (the bias gradient: [B, H, W, C] -> [C]) as one pass of column sums in our C kernel. The
// wasm backend's Sum reduces innermost axes only, so it first transposes the whole tensor. Every other reduction
// goes to the wasm backend's own Sum.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

export function sum({ inputs, backend, attrs }: KernelArgs): Info {
  const { x } = inputs;
  const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const native = nativeKernelsFor(backend);
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  if (!native || x.dtype !== 'float32' || !leading) {
    const ops = new WasmOps(asWasm(backend));
    return ops.finish(ops.runOriginal('Sum', { x }, attrs));
  }
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const kept = x.shape.slice(axes.length);
  const out = asWasm(backend).makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
  native.fn.column_sum(native.pointer(x), native.pointer(out), rows, tf.util.sizeFromShape(kept));
  return out;
}
