// Einsum on wasm: the cpu backend's contraction path (transpose, broadcast multiply, sum) over wasm kernels.
import * as tf from '@tensorflow/tfjs';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

export function einsum({ inputs, backend, attrs }: KernelArgs): Info {
  const equation = attrs.equation as string;
  const tensors = inputs as unknown as Info[];
  const bu = tf.backend_util;
  const { allDims, summedDims, idDims } = bu.decodeEinsumEquation(equation, tensors.length);
  bu.checkEinsumDimSizes(allDims.length, idDims, tensors as tf.Tensor[]);
  const { path, steps } = bu.getEinsumComputePath(summedDims, idDims);
  const ops = new WasmOps(asWasm(backend));
  let out: Info | null = null;
  let numDimsRemaining = allDims.length;
  for (let i = 0; i < steps.length; i++) {
    for (const term of steps[i]) {
      const { permutationIndices: perm, expandDims } = bu.getEinsumPermutation(numDimsRemaining, idDims[term]);
      let x = bu.isIdentityPermutation(perm) ? tensors[term] : ops.transpose(tensors[term], perm);
      const shape = x.shape.slice();
      for (const axis of expandDims) shape.splice(axis, 0, 1);
      if (!tf.util.arraysEqual(x.shape, shape)) x = ops.reshape(x, shape);
      out = out === null ? x : ops.run('Multiply', { a: x, b: out });
    }
    if (i < steps.length - 1) {
      if (path[i] >= 0) out = ops.sum(out as Info, [path[i] - (allDims.length - numDimsRemaining)]);
      numDimsRemaining--;
    }
  }
  // The result must be a fresh tensor, never an input itself.
  const result = out as Info;
  return ops.finish(tensors.includes(result) ? ops.run('Identity', { x: result }) : result);
}
