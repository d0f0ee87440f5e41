// Splits an image into non-overlapping patches and projects each to `dim` (a convolution with kernel = stride =
// patch size): [B, H, W, C] -> [B, (H/p)*(W/p), dim], patches in row-major order as in ViT.
import * as tf from '@tensorflow/tfjs';

export interface PatchEmbeddingArgs {
  patchSize: number;
  dim: number;
}

export class PatchEmbedding extends tf.layers.Layer {
  static className = 'PatchEmbedding';
  readonly patchSize: number;
  readonly dim: number;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(args: PatchEmbeddingArgs & { name?: string; trainable?: boolean }) {
    super(args);
    if (!(args.patchSize >= 1) || !(args.dim >= 1))
      throw new Error(`PatchEmbedding: patchSize and dim must be >= 1, got ${args.patchSize}, ${args.dim}`);
    this.patchSize = args.patchSize;
    this.dim = args.dim;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const channels = shape[3] as number;
    const fanIn = this.patchSize * this.patchSize * channels;
    const bound = 1 / Math.sqrt(fanIn);
    this.kernel = this.addWeight(
      'kernel',
      [this.patchSize, this.patchSize, channels, this.dim],
      'float32',
      tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' }),
    );
    this.bias = this.addWeight(
      'bias',
      [this.dim],
      'float32',
      tf.initializers.randomUniform({ minval: -bound, maxval: bound }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w] = inputShape as tf.Shape;
    return [b, Math.floor((h as number) / this.patchSize) * Math.floor((w as number) / this.patchSize), this.dim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const y = tf.add(tf.conv2d(x, this.kernel.read() as tf.Tensor4D, this.patchSize, 'valid'), this.bias.read());
      const [b, gh, gw] = y.shape;
      return tf.reshape(y, [b, gh * gw, this.dim]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), patchSize: this.patchSize, dim: this.dim };
  }
}
tf.serialization.registerClass(PatchEmbedding);
