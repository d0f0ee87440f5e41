// Fused kernels for the transformer layers, in our C code (native/kernels.c): softmax over the last axis and its
// gradient, layer normalisation forward/backward and the exact GELU forward/backward. Composed from tfjs kernels
// these are 4-15 small calls each (a vit-tiny training step made ~1,900 kernel calls); here each is one pass. So is
// Adam's update of one parameter tensor (about 15 kernels in tfjs ops).
// Softmax replaces the wasm backend's kernel (its own falls back); the others are new kernel names that
// `fused-ops.ts` calls only while the C kernels are loaded (the ops keep their tfjs formulation otherwise).
import * as tf from '@tensorflow/tfjs';
import { nativeKernelsFor, type NativeKernels } from '../native/native-kernels';
import { asWasm, Info, KernelArgs, WasmOps } from './wasm-ops';

/** The kernel names of the fused operations (registered for wasm only). */
export const FUSED_KERNEL_NAMES = {
  softmaxGrad: 'ResearchSoftmaxGrad',
  layerNorm: 'ResearchLayerNorm',
  layerNormGrad: 'ResearchLayerNormGrad',
  gelu: 'ResearchGelu',
  geluGrad: 'ResearchGeluGrad',
  adam: 'ResearchAdam',
} as const;

function requireNative(backend: unknown, kernel: string, inputs: Info[]): NativeKernels {
  const native = nativeKernelsFor(backend);
  if (!native) throw new Error(`${kernel}: the project's C kernels are not loaded (call it only when they are)`);
  for (const t of inputs)
    if (t.dtype !== 'float32') throw new Error(`${kernel}: expected float32 inputs, got ${t.dtype}`);
  return native;
}

/** [rows, cols] of a tensor whose last axis is the row. */
function rowsCols(shape: number[]): [number, number] {
  const cols = shape.length ? shape[shape.length - 1] : 1;
  return [cols ? tf.util.sizeFromShape(shape) / cols : 0, cols];
}

export function softmax({ inputs, backend, attrs }: KernelArgs): Info {
  const { logits } = inputs;
  const { dim } = attrs as unknown as { dim: number };
  const native = nativeKernelsFor(backend);
  const last = dim === -1 || dim === logits.shape.length - 1;
  if (!native || logits.dtype !== 'float32' || !last) {
    const ops = new WasmOps(asWasm(backend));
    return ops.finish(ops.runOriginal('Softmax', { logits }, attrs));
  }
  const out = asWasm(backend).makeOutput(logits.shape, 'float32');
  const [rows, cols] = rowsCols(logits.shape);
  native.run('softmax_rows', [native.pointer(logits), native.pointer(out), rows, cols], rows * cols);
  return out;
}

/** dx = y (dy - sum(dy y)) over the last axis, y the softmax output. */
export function softmaxGrad({ inputs, backend }: KernelArgs): Info {
  const { y, dy } = inputs;
  const native = requireNative(backend, FUSED_KERNEL_NAMES.softmaxGrad, [y, dy]);
  const out = asWasm(backend).makeOutput(y.shape, 'float32');
  const [rows, cols] = rowsCols(y.shape);
  native.run(
    'softmax_grad_rows',
    [native.pointer(y), native.pointer(dy), native.pointer(out), rows, cols],
    rows * cols,
  );
  return out;
}

/** Layer normalisation over the last axis: [y, mean, rstd], mean and rstd of shape [rows] for the gradient. */
export function layerNorm({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { x, gamma, beta } = inputs;
  const { epsilon } = attrs as unknown as { epsilon: number };
  const native = requireNative(backend, FUSED_KERNEL_NAMES.layerNorm, [x, gamma, beta]);
  const [rows, cols] = rowsCols(x.shape);
  if (gamma.shape.length !== 1 || gamma.shape[0] !== cols || beta.shape.length !== 1 || beta.shape[0] !== cols)
    throw new Error(
      `${FUSED_KERNEL_NAMES.layerNorm}: gamma and beta must be [${cols}], got [${gamma.shape}], [${beta.shape}]`,
    );
  const wasm = asWasm(backend);
  const y = wasm.makeOutput(x.shape, 'float32');
  const mean = wasm.makeOutput([rows], 'float32');
  const rstd = wasm.makeOutput([rows], 'float32');
  const p = (t: Info) => native.pointer(t);
  native.run('layer_norm_rows', [p(x), p(gamma), p(beta), p(y), p(mean), p(rstd), rows, cols, epsilon], rows * cols);
  return [y, mean, rstd];
}

/** The layer-norm gradient: [dx, dgamma, dbeta] from x, dy, gamma and the forward pass's mean and rstd. */
export function layerNormGrad({ inputs, backend }: KernelArgs): Info[] {
  const { x, dy, gamma, mean, rstd } = inputs;
  const native = requireNative(backend, FUSED_KERNEL_NAMES.layerNormGrad, [x, dy, gamma, mean, rstd]);
  const [rows, cols] = rowsCols(x.shape);
  const wasm = asWasm(backend);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dgamma = wasm.makeOutput([cols], 'float32');
  const dbeta = wasm.makeOutput([cols], 'float32');
  const p = (t: Info) => native.pointer(t);
  native.fn.layer_norm_grad_rows(p(x), p(dy), p(gamma), p(mean), p(rstd), p(dx), p(dgamma), p(dbeta), rows, cols);
  return [dx, dgamma, dbeta];
}

function runGelu(backend: unknown, x: Info, dy: Info | undefined): Info {
  const kernel = dy ? FUSED_KERNEL_NAMES.geluGrad : FUSED_KERNEL_NAMES.gelu;
  const native = requireNative(backend, kernel, dy ? [x, dy] : [x]);
  const out = asWasm(backend).makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  native.run('gelu', [native.pointer(x), dy ? native.pointer(dy) : 0, native.pointer(out), n, dy ? 1 : 0], n);
  return out;
}

/** The exact GELU x Phi(x). */
export function gelu({ inputs, backend }: KernelArgs): Info {
  return runGelu(backend, inputs.x, undefined);
}

/** dy times the exact GELU's derivative Phi(x) + x phi(x). */
export function geluGrad({ inputs, backend }: KernelArgs): Info {
  return runGelu(backend, inputs.x, inputs.dy);
}

/** Adam's attributes: the scalars of kernels.c's adam_update (see there), `first` when m and v do not exist yet. */
export interface AdamAttrs {
  first: boolean;
  beta1: number;
  beta2: number;
  stepSize: number;
  bc2Sqrt: number;
  eps: number;
  coupledWeightDecay: number;
  decay: number;
}

/** One Adam/AdamW update: [param, m, v] from param, grad and the moments m, v (ignored when `first`). */
export function adam({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { param, grad, m, v } = inputs;
  const a = attrs as unknown as AdamAttrs;
  const native = requireNative(backend, FUSED_KERNEL_NAMES.adam, [param, grad, m, v]);
  const n = tf.util.sizeFromShape(param.shape);
  for (const [key, t] of Object.entries({ grad, m, v }))
    if (tf.util.sizeFromShape(t.shape) !== n)
      throw new Error(`${FUSED_KERNEL_NAMES.adam}: ${key} has shape [${t.shape}], the parameter [${param.shape}]`);
  const wasm = asWasm(backend);
  const outs = [0, 1, 2].map(() => wasm.makeOutput(param.shape, 'float32'));
  const p = (t: Info) => native.pointer(t);
  const scalars = [a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.stepSize, a.bc2Sqrt, a.eps, a.coupledWeightDecay];
  const args = [p(param), p(grad), p(m), p(v), ...outs.map(p), n, a.first ? 1 : 0, ...scalars, a.decay];
  native.run('adam_update', args, n);
  return outs;
}
