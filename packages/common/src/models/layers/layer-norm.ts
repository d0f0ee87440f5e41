// Layer normalisation over the last axis (PyTorch nn.LayerNorm) with a hand-written gradient. tfjs-layers'
// LayerNormalization broadcasts gamma/beta with tf.tile, whose gradient is one slice+add per tile (about 1,000
// kernels per call at batch 64 x 17 tokens); this layer uses broadcasting and a closed-form backward instead, or a
// fused C kernel for each on the wasm backend.
import * as tf from '@tensorflow/tfjs';
import { fusedKernelsActive, fusedLayerNorm } from '../../backend';

/** y = (x - mean) / sqrt(var + epsilon) * gamma + beta over the last axis, with the analytic gradient. */
export function layerNormOp(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  // On wasm with the project's C kernels: one kernel forward, one backward.
  const dim = x.shape[x.rank - 1];
  if (fusedKernelsActive() && x.dtype === 'float32' && [gamma, beta].every((t) => t.rank === 1 && t.shape[0] === dim))
    return fusedLayerNorm(x, gamma, beta, epsilon);
  const op = tf.customGrad((...args: unknown[]) => {
    const [xs, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const axis = xs.rank - 1;
    const centered = tf.sub(xs, tf.mean(xs, axis, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), axis, true), epsilon));
    const normed = tf.mul(centered, rstd);
    save([normed, rstd, g]);
    return {
      value: tf.add(tf.mul(normed, g), b),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xhat, r, gammaSaved] = saved;
        const upstream = dy as tf.Tensor;
        const batchAxes = [...Array(upstream.rank - 1).keys()];
        const gx = tf.mul(upstream, gammaSaved);
        const dx = tf.mul(
          r,
          tf.sub(tf.sub(gx, tf.mean(gx, axis, true)), tf.mul(xhat, tf.mean(tf.mul(gx, xhat), axis, true))),
        );
        return [dx, tf.sum(tf.mul(upstream, xhat), batchAxes), tf.sum(upstream, batchAxes)];
      },
    };
  });
  return op(x, gamma, beta);
}

export interface LayerNormArgs {
  epsilon?: number;
  name?: string;
  trainable?: boolean;
}

export class LayerNorm extends tf.layers.Layer {
  static className = 'LayerNorm';
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;

  constructor(args: LayerNormArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const dim = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() =>
      layerNormOp(Array.isArray(inputs) ? inputs[0] : inputs, this.gamma.read(), this.beta.read(), this.epsilon),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(LayerNorm);
