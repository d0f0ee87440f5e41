// Operations that run one fused C kernel (kernels/fused.ts) while the project's C kernels are loaded on the wasm
// backend, and their tfjs formulation otherwise (other backends, RESEARCH_OWN_KERNELS=0, or a failed load).
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNEL_NAMES, type AdamAttrs } from './kernels/fused';
import { nativeKernelsFor } from './native/native-kernels';

/** Whether the fused kernels run now: the active backend is wasm with the project's C kernels loaded and on. */
export function fusedKernelsActive(): boolean {
  return nativeKernelsFor(tf.backend()) !== undefined;
}

function run(kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor | tf.Tensor[];
}

/**
 * Layer normalisation over the last axis, y = (x - mean) / sqrt(var + epsilon) * gamma + beta, in one kernel
 * forward and one backward (call only while `fusedKernelsActive()`).
 */
export function fusedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, rstd] = run(FUSED_KERNEL_NAMES.layerNorm, { x: xs, gamma: g, beta: b }, { epsilon }) as tf.Tensor[];
    save([xs, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xSaved, gSaved, meanSaved, rstdSaved] = saved;
        const inputs = { x: xSaved, dy: dy as tf.Tensor, gamma: gSaved, mean: meanSaved, rstd: rstdSaved };
        return run(FUSED_KERNEL_NAMES.layerNormGrad, inputs) as tf.Tensor[];
      },
    };
  });
  return op(x, gamma, beta);
}

/** The exact GELU x Phi(x) in one kernel, its gradient in one more (call only while `fusedKernelsActive()`). */
export function fusedGelu(x: tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const xs = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xs]);
    return {
      value: run(FUSED_KERNEL_NAMES.gelu, { x: xs }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        run(FUSED_KERNEL_NAMES.geluGrad, { x: saved[0], dy: dy as tf.Tensor }) as tf.Tensor,
    };
  });
  return op(x);
}

export type { AdamAttrs };

/**
 * One Adam/AdamW step of one parameter tensor in one kernel (kernels.c's adam_update): [param, m, v]; m and v
 * undefined on the first step (call only while `fusedKernelsActive()`).
 */
export function fusedAdamUpdate(
  param: tf.Tensor,
  grad: tf.Tensor,
  m: tf.Tensor | undefined,
  v: tf.Tensor | undefined,
  attrs: Omit<AdamAttrs, 'first'>,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const first = !m || !v;
  const inputs = { param, grad, m: m ?? grad, v: v ?? grad };
  const out = run(FUSED_KERNEL_NAMES.adam, inputs, { ...attrs, first } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return [out[0], out[1], out[2]];
}

let originalSoftmaxGrad: tf.GradConfig | undefined;

/** Softmax's gradient: one fused kernel over the last axis while they run, else tfjs-core's own (four kernels). */
export const softmaxGradConfig: tf.GradConfig = {
  kernelName: 'Softmax',
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [y] = saved;
    const { dim } = attrs as unknown as { dim: number };
    if (fusedKernelsActive() && y.dtype === 'float32' && (dim === -1 || dim === y.rank - 1))
      return { logits: () => run(FUSED_KERNEL_NAMES.softmaxGrad, { y, dy: dy as tf.Tensor }) as tf.Tensor };
    if (!originalSoftmaxGrad) throw new Error('Softmax gradient: the original gradient was not recorded');
    return originalSoftmaxGrad.gradFunc(dy, saved, attrs);
  },
};

/** Installs the gradient above in place of tfjs-core's; calling it again changes nothing. */
export function registerSoftmaxGradient(): void {
  const current = tf.getGradient('Softmax');
  if (current === softmaxGradConfig) return;
  originalSoftmaxGrad ??= current;
  tf.registerGradient(softmaxGradConfig);
}
