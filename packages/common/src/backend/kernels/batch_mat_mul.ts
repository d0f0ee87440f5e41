// BatchMatMul through XNNPACK whenever the right operand is shared by the batch. The wasm backend uses XNNPACK only
// for untransposed single matrices and a naive loop otherwise, which makes every weight gradient (x^T dy) and input
// gradient (dy W^T) of a dense layer slow. Here the transposes are done explicitly (fast), a batched left operand
// is folded into rows, and the product runs as a 1x1 convolution: XNNPACK's convolution gets the thread pool,
// its fully-connected operator (what the wasm BatchMatMul calls) does not.
import * as tf from '@tensorflow/tfjs';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm_ops';

export function batchMatMul({ inputs, backend, attrs }: KernelArgs): Info {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  const ops = new WasmOps(asWasm(backend));
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (batchB !== 1 || (batchA !== 1 && transposeA) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return ops.runOriginal('BatchMatMul', { a, b }, attrs);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const n = transposeB ? br : bc;
  const a2 = transposeA ? ops.transpose(ops.reshape(a, [ar, ac]), [1, 0]) : a;
  const b2 = transposeB ? ops.transpose(ops.reshape(b, [br, bc]), [1, 0]) : b;
  const out = ops.conv2d(ops.reshape(a2, [1, 1, batchA * m, k]), ops.reshape(b2, [1, 1, k, n]), [1, 1], [1, 1], [0, 0, 0, 0]);
  const outer = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  return ops.finish(ops.reshape(out, [...outer, m, n]));
}
