// A faster gradient for tf.batchNorm (kernel FusedBatchNorm), registered for every backend by initBackend.
// tfjs-core's version tiles 1/sqrt(var + eps) to the input's full shape before multiplying (the wasm backend's Tile is
// a generic index loop: a fifth of an HRNet training step) and computes the mean, variance and scale gradients each
// with two full-size products before reducing. Here per-channel factors broadcast, and the two sums every gradient
// needs (sum dy, sum dy*(x - mean)) are computed once, so the input gradient is one full-size product.
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'FusedBatchNorm';
let original: tf.GradConfig | undefined;

export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    const dyT = dy as tf.Tensor;
    // Per-channel parameters only (tf.layers' batchNormalization); anything else takes tfjs-core's formula.
    if (mean.rank !== 1 || variance.rank !== 1 || (scale != null && scale.rank !== 1)) {
      if (!original) throw new Error('FusedBatchNorm gradient: the original gradient was not recorded');
      return original.gradFunc(dy, saved, attrs);
    }
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gain = scale == null ? invStd : tf.mul(invStd, scale);
    // Computed here, not in the per-input closures: the engine runs each closure in its own tidy. The full-size
    // product is freed at once; the per-channel sums live until the backward pass ends.
    const sumDy = tf.sum(dyT, axes);
    const sumDyCentred = tf.tidy(() => tf.sum(tf.mul(dyT, tf.sub(x, mean)), axes));
    return {
      x: () => tf.mul(dyT, gain),
      mean: () => tf.neg(tf.mul(gain, sumDy)),
      // d/dvar of (x - mean) * (var + eps)^-1/2 * scale = -1/2 (x - mean) (var + eps)^-3/2 * scale
      variance: () => tf.mul(tf.mul(tf.mul(gain, tf.square(invStd)), tf.scalar(-0.5)), sumDyCentred),
      scale: () => tf.mul(invStd, sumDyCentred),
      offset: () => tf.clone(sumDy),
    };
  },
};

/** Installs the gradient above in place of tfjs-core's; calling it again changes nothing. */
export function registerBatchNormGradient(): void {
  const current = tf.getGradient(KERNEL);
  if (current === fusedBatchNormGradConfig) return;
  original ??= current;
  tf.registerGradient(fusedBatchNormGradConfig);
}

/** tfjs-core's own gradient, for comparison in tests. */
export function originalBatchNormGradient(): tf.GradConfig | undefined {
  return original;
}
