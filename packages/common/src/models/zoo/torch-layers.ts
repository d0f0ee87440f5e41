// The few PyTorch layers tfjs-layers lacks, as tfjs layers: hard swish / hard sigmoid with torch's definitions,
// stochastic depth (torchvision.ops.StochasticDepth, mode "row") and ConvNeXt's per-channel layer scale.
import * as tf from '@tensorflow/tfjs';

export type TorchActivationName = 'hardswish' | 'hardsigmoid';

/**
 * torch.nn.Hardswish x * relu6(x + 3) / 6 and Hardsigmoid relu6(x + 3) / 6. tfjs's 'hardSigmoid' activation is
 * Keras's 0.2x + 0.5, a different function, hence this layer.
 */
export class TorchActivation extends tf.layers.Layer {
  static className = 'TorchActivation';
  readonly fn: TorchActivationName;

  constructor(args: { fn: TorchActivationName; name?: string }) {
    super(args);
    if (args.fn !== 'hardswish' && args.fn !== 'hardsigmoid')
      throw new Error(`TorchActivation: unknown fn '${String(args.fn)}' (hardswish, hardsigmoid)`);
    this.fn = args.fn;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gate = tf.div(tf.relu6(tf.add(x, 3)), 6);
      return this.fn === 'hardswish' ? tf.mul(x, gate) : gate;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), fn: this.fn };
  }
}
tf.serialization.registerClass(TorchActivation);

/**
 * Drops the whole residual branch of a sample with probability `rate` while training and scales survivors by
 * 1 / (1 - rate); the identity at inference (torchvision.ops.stochastic_depth, mode "row").
 */
export class StochasticDepth extends tf.layers.Layer {
  static className = 'StochasticDepth';
  readonly rate: number;

  constructor(args: { rate: number; name?: string }) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1))
      throw new Error(`StochasticDepth: rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs.training || this.rate === 0) return tf.clone(x);
      const keep = 1 - this.rate;
      const maskShape = [x.shape[0], ...Array<number>(x.rank - 1).fill(1)];
      const mask = tf.floor(tf.add(tf.randomUniform(maskShape), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(StochasticDepth);

/** Multiplies the last axis by a learned vector initialised to `initValue` (ConvNeXt's layer_scale). */
export class LayerScale extends tf.layers.Layer {
  static className = 'LayerScale';
  readonly initValue: number;
  private scale!: tf.LayerVariable;

  constructor(args: { initValue: number; name?: string; trainable?: boolean }) {
    super(args);
    this.initValue = args.initValue;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const dim = shape[shape.length - 1] as number;
    this.scale = this.addWeight('scale', [dim], 'float32', tf.initializers.constant({ value: this.initValue }));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.scale.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initValue: this.initValue };
  }
}
tf.serialization.registerClass(LayerScale);
