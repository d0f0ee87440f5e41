// Our wasm kernels: the gradient kernels the wasm backend lacks, and faster versions of slow ones.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul } from './batch-mat-mul';
import { add, multiply, realDiv, sub } from './binary';
import { conv2D } from './conv2d';
import { conv2DBackpropFilter, conv2DBackpropInput } from './conv-backprop';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise-backprop';
import { einsum } from './einsum';
import { FUSED_KERNEL_NAMES, adam, gelu, geluGrad, layerNorm, layerNormGrad, softmax, softmaxGrad } from './fused';
import { identity } from './identity';
import { mean } from './mean';
import { avgPoolGrad, maxPoolGrad } from './pool-grads';
import { concat, splitV } from './split-concat';
import { sum } from './sum';
import { neg, relu, sqrt, square } from './unary';
import { unsortedSegmentSum } from './unsorted-segment-sum';
import { originalWasmKernels } from './wasm-ops';

/** Kernels the wasm backend does not have (found with scripts/kernel-diff.ts). */
export const ADDED_WASM_KERNELS: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc,
  UnsortedSegmentSum: unsortedSegmentSum as unknown as tf.KernelFunc,
  Einsum: einsum as unknown as tf.KernelFunc,
  [FUSED_KERNEL_NAMES.softmaxGrad]: softmaxGrad as unknown as tf.KernelFunc,
  [FUSED_KERNEL_NAMES.layerNorm]: layerNorm as unknown as tf.KernelFunc,
  [FUSED_KERNEL_NAMES.layerNormGrad]: layerNormGrad as unknown as tf.KernelFunc,
  [FUSED_KERNEL_NAMES.gelu]: gelu as unknown as tf.KernelFunc,
  [FUSED_KERNEL_NAMES.geluGrad]: geluGrad as unknown as tf.KernelFunc,
  [FUSED_KERNEL_NAMES.adam]: adam as unknown as tf.KernelFunc,
};

/** Kernels the wasm backend has, replaced by faster formulations. */
export const REPLACED_WASM_KERNELS: Record<string, tf.KernelFunc> = {
  Conv2DBackpropInput: conv2DBackpropInput as unknown as tf.KernelFunc,
  Conv2D: conv2D as unknown as tf.KernelFunc,
  MaxPoolGrad: maxPoolGrad as unknown as tf.KernelFunc,
  AvgPoolGrad: avgPoolGrad as unknown as tf.KernelFunc,
  BatchMatMul: batchMatMul as unknown as tf.KernelFunc,
  Sum: sum as unknown as tf.KernelFunc,
  Mean: mean as unknown as tf.KernelFunc,
  Identity: identity as unknown as tf.KernelFunc,
  Add: add as unknown as tf.KernelFunc,
  Sub: sub as unknown as tf.KernelFunc,
  Multiply: multiply as unknown as tf.KernelFunc,
  RealDiv: realDiv as unknown as tf.KernelFunc,
  Square: square as unknown as tf.KernelFunc,
  Sqrt: sqrt as unknown as tf.KernelFunc,
  Neg: neg as unknown as tf.KernelFunc,
  Relu: relu as unknown as tf.KernelFunc,
  Softmax: softmax as unknown as tf.KernelFunc,
  SplitV: splitV as unknown as tf.KernelFunc,
  Concat: concat as unknown as tf.KernelFunc,
};

/** The kernels above that run the project's C code (native/kernels.c) when it is loaded. */
export const NATIVE_WASM_KERNELS = [
  'MaxPoolGrad',
  'Sum',
  'Mean',
  'BatchMatMul',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'Conv2D',
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'Square',
  'Sqrt',
  'Neg',
  'Relu',
  'Softmax',
  'SplitV',
  'Concat',
  ...Object.values(FUSED_KERNEL_NAMES),
] as const;

/**
 * Registers every kernel above for backendName 'wasm' (import '@tensorflow/tfjs-backend-wasm' first); calling it
 * again changes nothing. A replaced kernel keeps the original's setupFunc, so the original stays callable.
 */
export function registerWasmKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries({ ...ADDED_WASM_KERNELS, ...REPLACED_WASM_KERNELS })) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    // The wasm backend's own kernel is recorded once: a later caller's wrapper around ours must not become the
    // "original" that ours delegates to (a cycle).
    if (current && !originalWasmKernels.has(kernelName)) originalWasmKernels.set(kernelName, current);
    if (current) tf.unregisterKernel(kernelName, 'wasm');
    const original = originalWasmKernels.get(kernelName);
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc });
  }
}
