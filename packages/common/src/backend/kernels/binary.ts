// Add, Sub, Multiply and RealDiv with a broadcast float32 operand in our C kernel, which merges the dimensions that
// can be merged and runs SIMD rows (over the thread pool for large tensors). The wasm backend's own versions are as
// fast on equal shapes and on some broadcasts, but walk others one element index at a time (bench-kernels:
// [64,17,128] + [128] 0.74 ms vs 0.04, a division by [64,17,1] 0.75 vs 0.02). Equal shapes and other dtypes go
// to the wasm backend's kernels.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

/** The op codes of kernels.c's binary_op. */
const OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;
export type BinaryKernelName = keyof typeof OPS;

/** The strides of `shape` broadcast (right-aligned) to `outShape`: 0 along broadcast dimensions. */
function broadcastStrides(shape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, o = outShape.length - 1; i >= 0; i--, o--) {
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/**
 * [rank, shape, a strides, b strides] of the output with size-1 dimensions dropped and each dimension merged into
 * the next inner one when both operands step through the pair as through one dimension.
 */
function binaryDescriptor(aShape: number[], bShape: number[], outShape: number[]): number[] {
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const dims: Array<{ n: number; a: number; b: number }> = [];
  for (let d = outShape.length - 1; d >= 0; d--) {
    if (outShape[d] === 1) continue;
    const inner = dims[dims.length - 1];
    if (inner && sa[d] === inner.a * inner.n && sb[d] === inner.b * inner.n) inner.n *= outShape[d];
    else dims.push({ n: outShape[d], a: sa[d], b: sb[d] });
  }
  if (dims.length === 0) dims.push({ n: 1, a: 0, b: 0 });
  dims.reverse();
  return [dims.length, ...dims.map((d) => d.n), ...dims.map((d) => d.a), ...dims.map((d) => d.b)];
}

function binaryKernel(name: BinaryKernelName) {
  return ({ inputs, backend, attrs }: KernelArgs): Info => {
    const { a, b } = inputs;
    const native = nativeKernelsFor(backend);
    const sameShape = tf.util.arraysEqual(a.shape, b.shape);
    if (!native || a.dtype !== 'float32' || b.dtype !== 'float32' || sameShape) {
      const ops = new WasmOps(asWasm(backend));
      return ops.finish(ops.runOriginal(name, { a, b }, attrs));
    }
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = asWasm(backend).makeOutput(outShape, 'float32');
    const size = tf.util.sizeFromShape(outShape);
    if (size === 0) return out;
    const desc = native.ints(binaryDescriptor(a.shape, b.shape, outShape));
    native.run('binary_op', [OPS[name], native.pointer(a), native.pointer(b), native.pointer(out), desc], size);
    return out;
  };
}

export const add = binaryKernel('Add');
export const sub = binaryKernel('Sub');
export const multiply = binaryKernel('Multiply');
export const realDiv = binaryKernel('RealDiv');
