// Mean over leading axes (batch-norm moments in training: [B, H, W, C] -> [C]) as one pass of column sums in our C
// kernel, then a scale of the C sums. The wasm backend's Mean reduces innermost axes only, so it first transposes
// the whole tensor (HRNet's training step: 183 calls, 4% of the step). Every other mean goes to its own Mean.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

export function mean({ inputs, backend, attrs }: KernelArgs): Info {
  const { x } = inputs;
  const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const native = nativeKernelsFor(backend);
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  if (!native || x.dtype !== 'float32' || !leading || rows === 0) {
    const ops = new WasmOps(asWasm(backend));
    return ops.finish(ops.runOriginal('Mean', { x }, attrs));
  }
  const kept = x.shape.slice(axes.length);
  const wasm = asWasm(backend);
  const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
  native.fn.column_sum(native.pointer(x), native.pointer(out), rows, tf.util.sizeFromShape(kept));
  const values = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < values.length; i++) values[i] /= rows;
  return out;
}
