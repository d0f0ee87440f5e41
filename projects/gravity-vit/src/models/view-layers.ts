// Reshaping layers that let one encoder run over every view: [B, V, H, W, C] <-> [B*V, ...], and the learned
// embedding that tells the fusion which time window a view token came from.
import * as tf from '@tensorflow/tfjs';

/** [B, V, ...rest] -> [B*V, ...rest]. */
export class FoldViews extends tf.layers.Layer {
  static className = 'FoldViews';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [, , ...rest] = inputShape as tf.Shape;
    return [null, ...rest];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [b, v, ...rest] = x.shape;
    return tf.reshape(x, [b * v, ...rest]);
  }
}
tf.serialization.registerClass(FoldViews);

/** [B*V, D] -> [B, V, D]. */
export class UnfoldViews extends tf.layers.Layer {
  static className = 'UnfoldViews';
  readonly views: number;

  constructor(args: { views: number; name?: string }) {
    super(args);
    this.views = args.views;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [, d] = inputShape as tf.Shape;
    return [null, this.views, d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [bv, d] = x.shape;
    return tf.reshape(x, [bv / this.views, this.views, d]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), views: this.views };
  }
}
tf.serialization.registerClass(UnfoldViews);

/** [B, V, D] + a learned [V, D] embedding per view (initialised N(0, 0.02)). */
export class ViewEmbedding extends tf.layers.Layer {
  static className = 'ViewEmbedding';
  private embedding!: tf.LayerVariable;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [, v, d] = inputShape as tf.Shape;
    this.embedding = this.addWeight(
      'embedding',
      [v as number, d as number],
      'float32',
      tf.initializers.truncatedNormal({ stddev: 0.02 }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.add(Array.isArray(inputs) ? inputs[0] : inputs, this.embedding.read());
  }
}
tf.serialization.registerClass(ViewEmbedding);
