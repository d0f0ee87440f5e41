// BatchMatMul. The wasm backend uses XNNPACK only for untransposed single matrices and a naive loop otherwise, which
// makes every weight gradient (x^T dy), input gradient (dy W^T) and attention product slow. With the C kernels
// loaded every float32 product runs in their GEMM (native/kernels.c: any transposes, batched or broadcast operands;
// at the models' shapes 1.3-14x faster than the formulation below, bench-kernels). Without them: the transposes
// are done explicitly, a batched left operand is folded into rows, and the product runs as a 1x1 convolution
// (XNNPACK's convolution gets the thread pool, its fully-connected operator does not).
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

export function batchMatMul({ inputs, backend, attrs }: KernelArgs): Info {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  const ops = new WasmOps(asWasm(backend));
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (a.dtype === 'float32' && b.dtype === 'float32') {
    const out = nativeBatchMatMul(backend, a, b, transposeA, transposeB, batchA, batchB);
    if (out) return out;
  }
  if (batchB !== 1 || (batchA !== 1 && transposeA) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return ops.runOriginal('BatchMatMul', { a, b }, attrs);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const n = transposeB ? br : bc;
  const a2 = transposeA ? ops.transpose(ops.reshape(a, [ar, ac]), [1, 0]) : a;
  const b2 = transposeB ? ops.transpose(ops.reshape(b, [br, bc]), [1, 0]) : b;
  const out = ops.conv2d(
    ops.reshape(a2, [1, 1, batchA * m, k]),
    ops.reshape(b2, [1, 1, k, n]),
    [1, 1],
    [1, 1],
    [0, 0, 0, 0],
  );
  const outer = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  return ops.finish(ops.reshape(out, [...outer, m, n]));
}

/**
 * Batched products (attention's Q K^T, P V and their gradients) in our C GEMM; undefined when the C kernels are off
 * or the batch dimensions broadcast in a way other than "equal, or one side 1".
 */
function nativeBatchMatMul(
  backend: unknown,
  a: Info,
  b: Info,
  transposeA: boolean,
  transposeB: boolean,
  batchA: number,
  batchB: number,
): Info | undefined {
  const native = nativeKernelsFor(backend);
  const batch = Math.max(batchA, batchB);
  if (!native || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return undefined;
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (tf.util.sizeFromShape(outer) !== batch) return undefined;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const n = transposeB ? br : bc;
  const scratch = transposeB ? native.scratch(native.parts * k * n) : 0;
  const out = asWasm(backend).makeOutput([...outer, m, n], 'float32');
  const [aRow, aCol] = transposeA ? [1, ac] : [ac, 1];
  const [bRow, bCol] = transposeB ? [1, bc] : [bc, 1];
  const args = [
    batch,
    m,
    n,
    k,
    native.pointer(a),
    batchA === 1 ? 0 : ar * ac,
    aRow,
    aCol,
    native.pointer(b),
    batchB === 1 ? 0 : br * bc,
    bRow,
    bCol,
  ];
  native.run('gemm', [...args, native.pointer(out), m * n, n, 0, scratch], batch * m * n * k);
  return out;
}
