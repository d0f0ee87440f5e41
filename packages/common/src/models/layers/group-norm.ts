// Group normalisation (Wu & He 2018; PyTorch nn.GroupNorm) for channels-last inputs [B, ..., C]: the channels are
// split into `groups` groups, each example normalised over its group's channels and positions, then scaled and
// shifted per channel. Unlike BatchNormalization it never mixes examples, so it is the replacement DP-SGD asks for.
import * as tf from '@tensorflow/tfjs';

export interface GroupNormArgs {
  groups: number;
  epsilon?: number;
  name?: string;
  trainable?: boolean;
}

export class GroupNorm extends tf.layers.Layer {
  static className = 'GroupNorm';
  readonly groups: number;
  readonly epsilon: number;
  gamma!: tf.LayerVariable;
  beta!: tf.LayerVariable;

  constructor(args: GroupNormArgs) {
    super(args);
    if (!(Number.isInteger(args.groups) && args.groups > 0))
      throw new Error(`GroupNorm: groups must be a positive integer, got ${args.groups}`);
    this.groups = args.groups;
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    if (shape.length < 2 || channels % this.groups !== 0) {
      throw new Error(
        `GroupNorm '${this.name}': ${channels} channels (input [${shape}]) are not divisible into ${this.groups} groups`,
      );
    }
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  /** The normalised input (before the per-channel scale and shift). */
  normalize(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const channels = x.shape[x.rank - 1];
      const grouped = x.reshape([x.shape[0], -1, this.groups, channels / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      return grouped
        .sub(mean)
        .mul(tf.rsqrt(variance.add(this.epsilon)))
        .reshape(x.shape);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return this.normalize(x).mul(this.gamma.read()).add(this.beta.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(GroupNorm);
