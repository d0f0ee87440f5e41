// Square, Sqrt, Neg and Relu on float32 tensors in our C kernel, on one thread below 2^18 elements. The wasm
// backend hands even a 64 x 64 Square (each of Adam's weight updates) to its thread pool; on a busy machine the
// hand-off waits for a descheduled thread, and these calls took milliseconds each in a vit-tiny step.
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

/** The op codes of kernels.c's unary_op. */
const OPS = { Square: 0, Sqrt: 1, Neg: 2, Relu: 3 } as const;

function unaryKernel(name: keyof typeof OPS) {
  return ({ inputs, backend, attrs }: KernelArgs): Info => {
    const { x } = inputs;
    const native = nativeKernelsFor(backend);
    if (!native || x.dtype !== 'float32') {
      const ops = new WasmOps(asWasm(backend));
      return ops.finish(ops.runOriginal(name, { x }, attrs));
    }
    const out = asWasm(backend).makeOutput(x.shape, 'float32');
    const size = tf.util.sizeFromShape(x.shape);
    native.run('unary_op', [OPS[name], native.pointer(x), native.pointer(out), size], size);
    return out;
  };
}

export const square = unaryKernel('Square');
export const sqrt = unaryKernel('Sqrt');
export const neg = unaryKernel('Neg');
export const relu = unaryKernel('Relu');
