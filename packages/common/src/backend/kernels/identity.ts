// Identity without a copy: the output shares its input's buffer and holds a reference to it, as Reshape already does
// on wasm and Identity does on the cpu backend (no kernel writes into its inputs). The wasm backend's Identity copies
// every tensor; the tape and the optimizers call it hundreds of times per training step (274 calls, a tenth of a
// vit-tiny step).
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Info, KernelArgs, WasmOps, asWasm } from './wasm-ops';

export function identity({ inputs, backend, attrs }: KernelArgs): Info {
  const { x } = inputs;
  if (x.dtype === 'string') {
    const ops = new WasmOps(asWasm(backend));
    return ops.finish(ops.runOriginal('Identity', { x }, attrs));
  }
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
