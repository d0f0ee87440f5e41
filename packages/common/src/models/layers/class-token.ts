// ViT's learned class token and positional embedding, and taking one token out of a sequence.
import * as tf from '@tensorflow/tfjs';

export interface ClassTokenPositionArgs {
  /** Standard deviation of the initial values (0 = zeros, as in the PyTorch reference). */
  initStddev?: number;
}

/** [B, N, D] -> [B, N+1, D]: prepends a learned class token, then adds a learned position embedding. */
export class ClassTokenPosition extends tf.layers.Layer {
  static className = 'ClassTokenPosition';
  readonly initStddev: number;
  private cls!: tf.LayerVariable;
  private pos!: tf.LayerVariable;

  constructor(args: ClassTokenPositionArgs & { name?: string; trainable?: boolean } = {}) {
    super(args);
    this.initStddev = args.initStddev ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [, n, d] = inputShape as tf.Shape;
    const init = () =>
      this.initStddev > 0 ? tf.initializers.truncatedNormal({ stddev: this.initStddev }) : tf.initializers.zeros();
    this.cls = this.addWeight('cls', [1, 1, d as number], 'float32', init());
    this.pos = this.addWeight('pos', [1, (n as number) + 1, d as number], 'float32', init());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, n, d] = inputShape as tf.Shape;
    return [b, (n as number) + 1, d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // broadcastTo, not tile: tile's gradient is one slice+add per copy.
      const cls = tf.broadcastTo(this.cls.read(), [x.shape[0], 1, x.shape[2] as number]);
      return tf.add(tf.concat([cls, x], 1), this.pos.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initStddev: this.initStddev };
  }
}
tf.serialization.registerClass(ClassTokenPosition);

/** [B, N, D] -> [B, D]: the token at `index` (0 = the class token). */
export class TakeToken extends tf.layers.Layer {
  static className = 'TakeToken';
  readonly index: number;

  constructor(args: { index?: number; name?: string } = {}) {
    super(args);
    this.index = args.index ?? 0;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, , d] = inputShape as tf.Shape;
    return [b, d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [b, , d] = x.shape;
      return tf.reshape(tf.slice(x, [0, this.index, 0], [b, 1, d]), [b, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), index: this.index };
  }
}
tf.serialization.registerClass(TakeToken);
