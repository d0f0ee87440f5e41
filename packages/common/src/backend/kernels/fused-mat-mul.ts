// _FusedMatMul (a dense layer: product, bias, activation) as our BatchMatMul followed by the bias and a relu applied
// in place by the C elementwise kernels. The wasm backend's version runs XNNPACK's fully-connected operator, which
// repacks the weights on every call (bench-kernels). Other activations, PReLU weights and non-float32 operands go to
// the wasm backend's kernel.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { batchMatMul } from './batch_mat_mul';
import { binaryDescriptor } from './binary';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm_ops';

const ADD = 0; // kernels.c binary_op
const RELU = 3; // kernels.c unary_op

export function fusedMatMul({ inputs, backend, attrs }: KernelArgs): Info {
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA, transposeB, activation } = attrs as { transposeA: boolean; transposeB: boolean; activation?: string };
  const native = nativeKernelsFor(backend);
  const float32 = a.dtype === 'float32' && b.dtype === 'float32' && (!bias || bias.dtype === 'float32');
  const supported = (activation === undefined || activation === 'linear' || activation === 'relu') && !preluActivationWeights;
  if (!native || !float32 || !supported) {
    const ops = new WasmOps(asWasm(backend));
    return ops.finish(ops.runOriginal('_FusedMatMul', inputs, attrs));
  }
  const out = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } });
  const size = tf.util.sizeFromShape(out.shape);
  if (bias) {
    const shape = tf.backend_util.assertAndGetBroadcastShape(out.shape, bias.shape);
    if (!tf.util.arraysEqual(shape, out.shape)) throw new Error(`_FusedMatMul: bias ${bias.shape} does not broadcast to ${out.shape}`);
    const desc = native.ints(binaryDescriptor(out.shape, bias.shape, out.shape));
    native.run('binary_op', [ADD, native.pointer(out), native.pointer(bias), native.pointer(out), desc], size);
  }
  if (activation === 'relu') native.run('unary_op', [RELU, native.pointer(out), native.pointer(out), size], size);
  return out;
}
