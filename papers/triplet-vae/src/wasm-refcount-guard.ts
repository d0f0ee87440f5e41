// Works around a reference-count leak in @research/common's wasm BatchMatMul kernel (packages/common/src/backend/
// kernels/batch_mat_mul.ts): on its fast path the result is a reshape of an intermediate, which shares the
// intermediate's dataId, and `finish` skips every intermediate with the result's dataId, so the output keeps a
// second reference and its wasm memory is never freed (~2.5 MB per dense layer call at batch 192: a training run
// aborts with wasm out-of-memory after ~100 steps). The guard probes for the extra reference and, only if it is
// there, wraps the kernel to drop it. Once the kernel is fixed the probe finds one reference and nothing changes.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo, type BackendPreference } from '@research/common';

interface RefCounting {
  refCount(dataId: object): number;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Returns true when the wrapper was installed. */
export function guardWasmBatchMatMulRefCount(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as unknown as RefCounting;
  const probe = tf.tidy(() => {
    const y = tf.matMul(tf.ones([4, 3]), tf.ones([3, 2]));
    return backend.refCount(y.dataId);
  });
  const kernel = tf.getKernel('BatchMatMul', 'wasm');
  if (probe <= 1 || !kernel) return false;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...kernel,
    kernelFunc: (args) => {
      const out = kernel.kernelFunc(args) as tf.TensorInfo;
      if (backend.refCount(out.dataId) > 1) backend.disposeData(out.dataId); // drops the extra reference only
      return out;
    },
  });
  return true;
}

let ready: Promise<BackendInfo> | undefined;

/**
 * initBackend once per process, then the guard. A second initBackend would re-register common's kernel over the
 * wrapper and record the wrapper as the "original" it delegates to, a cycle; so train and evaluate in one process
 * (tests) share this first initialisation.
 */
export function initBackendOnce(preference: BackendPreference, log: (line: string) => void): Promise<BackendInfo> {
  ready ??= initBackend(preference, { log }).then((info) => {
    if (guardWasmBatchMatMulRefCount()) log('wasm BatchMatMul: dropped the extra output reference (see wasm-refcount-guard.ts)');
    return info;
  });
  return ready;
}
