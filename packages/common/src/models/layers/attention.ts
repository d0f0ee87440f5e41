// Multi-head self-attention as in PyTorch's nn.MultiheadAttention (packed q/k/v projection with bias, output
// projection with bias): [B, N, D] -> [B, N, D].
import * as tf from '@tensorflow/tfjs';

export interface MultiHeadSelfAttentionArgs {
  numHeads: number;
}

export class MultiHeadSelfAttention extends tf.layers.Layer {
  static className = 'MultiHeadSelfAttention';
  readonly numHeads: number;
  private qkvKernel!: tf.LayerVariable;
  private qkvBias!: tf.LayerVariable;
  private outKernel!: tf.LayerVariable;
  private outBias!: tf.LayerVariable;

  constructor(args: MultiHeadSelfAttentionArgs & { name?: string; trainable?: boolean }) {
    super(args);
    if (!Number.isInteger(args.numHeads) || args.numHeads < 1)
      throw new Error(`MultiHeadSelfAttention: numHeads must be a positive integer, got ${args.numHeads}`);
    this.numHeads = args.numHeads;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const dim = (inputShape as tf.Shape)[2] as number;
    if (dim % this.numHeads !== 0)
      throw new Error(`MultiHeadSelfAttention: dim ${dim} is not divisible by numHeads ${this.numHeads}`);
    // PyTorch: xavier-uniform projections, zero biases.
    this.qkvKernel = this.addWeight('qkv_kernel', [dim, 3 * dim], 'float32', tf.initializers.glorotUniform({}));
    this.qkvBias = this.addWeight('qkv_bias', [3 * dim], 'float32', tf.initializers.zeros());
    this.outKernel = this.addWeight('out_kernel', [dim, dim], 'float32', tf.initializers.glorotUniform({}));
    this.outBias = this.addWeight('out_bias', [dim], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [b, n, d] = x.shape;
      const h = this.numHeads;
      const dh = d / h;
      const qkv = tf.add(
        tf.matMul(tf.reshape(x, [b * n, d]), this.qkvKernel.read() as tf.Tensor2D),
        this.qkvBias.read(),
      );
      // [B*N, D] -> [B, H, N, dh]
      const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [b, n, h, dh]), [0, 2, 1, 3]);
      const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
      const scores = tf.matMul(tf.mul(q, 1 / Math.sqrt(dh)), k, false, true); // [B, H, N, N]
      const context = tf.matMul(tf.softmax(scores), v); // [B, H, N, dh]
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b * n, d]);
      return tf.reshape(tf.add(tf.matMul(merged, this.outKernel.read() as tf.Tensor2D), this.outBias.read()), [
        b,
        n,
        d,
      ]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads };
  }
}
tf.serialization.registerClass(MultiHeadSelfAttention);
