// The exact GELU activation ('gelu' in tfjs-layers: x Phi(x) with Phi from erf) as one fused C kernel forward and
// one backward on the wasm backend with the project's kernels; elsewhere tfjs-layers' own formula. Registered under
// tfjs-layers' class name 'gelu', so every layer built with `activation: 'gelu'` after this module loads uses it
// (tfjs-layers composes it from 6 kernels forward and ~10 backward per call).
import * as tf from '@tensorflow/tfjs';
import { fusedGelu, fusedKernelsActive } from '../../backend';

export class FusedGelu extends tf.serialization.Serializable {
  static className = 'gelu';

  apply(x: tf.Tensor): tf.Tensor {
    if (fusedKernelsActive() && x.dtype === 'float32') return fusedGelu(x);
    return tf.tidy(() => tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2))))));
  }

  override getClassName(): string {
    return FusedGelu.className;
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
tf.serialization.registerClass(FusedGelu);
