// SplitV and Concat of float32 tensors as strided block copies in our C kernel (one per piece). The attention layer
// splits its packed q/k/v projection [B*N, 3D] along the last axis every forward pass, and its gradient concatenates
// them back; tfjs-wasm runs both through its generic Slice/Concat index loops (a tenth of a vit-tiny training step).
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps, originalWasmKernels } from './wasm-ops';

/** Rows (the product of the dimensions before `axis`) and the floats per row per unit of the axis. */
function outerInner(shape: number[], axis: number): [number, number] {
  return [tf.util.sizeFromShape(shape.slice(0, axis)), tf.util.sizeFromShape(shape.slice(axis + 1))];
}

export function splitV({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { x } = inputs;
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const native = nativeKernelsFor(backend);
  if (!native || x.dtype !== 'float32') {
    const original = originalWasmKernels.get('SplitV');
    if (!original) throw new Error("no original wasm kernel 'SplitV' was recorded");
    return original.kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs }) as Info[];
  }
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const [rows, inner] = outerInner(x.shape, $axis);
  const srcRow = x.shape[$axis] * inner;
  const wasm = asWasm(backend);
  let offset = 0;
  return sizes.map((size) => {
    const shape = x.shape.slice();
    shape[$axis] = size;
    const out = wasm.makeOutput(shape, 'float32');
    const cols = size * inner;
    if (rows * cols > 0)
      native.fn.copy_block(native.pointer(x) + 4 * offset, srcRow, native.pointer(out), cols, rows, cols);
    offset += cols;
    return out;
  });
}

export function concat({ inputs, backend, attrs }: KernelArgs): Info {
  const tensors = Object.values(inputs);
  const { axis } = attrs as unknown as { axis: number };
  const native = nativeKernelsFor(backend);
  if (!native || tensors.length === 0 || tensors.some((t) => t.dtype !== 'float32')) {
    const ops = new WasmOps(asWasm(backend));
    return ops.finish(ops.runOriginal('Concat', inputs, attrs));
  }
  const $axis = tf.util.parseAxisParam(axis, tensors[0].shape)[0];
  const outShape = tf.backend_util.computeOutShape(
    tensors.map((t) => t.shape),
    $axis,
  );
  const [rows, inner] = outerInner(outShape, $axis);
  const dstRow = outShape[$axis] * inner;
  const out = asWasm(backend).makeOutput(outShape, 'float32');
  let offset = 0;
  for (const t of tensors) {
    const cols = t.shape[$axis] * inner;
    if (rows * cols > 0)
      native.fn.copy_block(native.pointer(t), cols, native.pointer(out) + 4 * offset, dstRow, rows, cols);
    offset += cols;
  }
  return out;
}
