// Cross-attention fusion of the view embeddings with one learned query per class (as ML-Decoder / Query2Label):
// each class asks the four view tokens for what it needs, so the attention weights say, per class, which time
// windows it reads. Layer l: q = q + Drop(MHA(LN(q), LN(views))); q = q + Drop(MLP(LN(q))), dropout also on the
// attention probabilities. The head is a shared MLP on each class's fused query followed by a per-class linear map
// to that class's logit.
import * as tf from '@tensorflow/tfjs';
import { layerNormOp } from '@research/common';

/** PyTorch nn.Linear default init: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
function linearInit(fanIn: number) {
  return tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn) });
}

/** The exact (erf) GELU. */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** [B, V, D] -> [B, Q, D]: the learned class queries (N(0, 0.02)), one per class, repeated over the batch. */
export class ClassQueries extends tf.layers.Layer {
  static className = 'ClassQueries';
  readonly numQueries: number;
  private queries!: tf.LayerVariable;

  constructor(args: { numQueries: number; name?: string }) {
    super(args);
    this.numQueries = args.numQueries;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape)[2] as number;
    this.queries = this.addWeight(
      'queries',
      [1, this.numQueries, d],
      'float32',
      tf.initializers.truncatedNormal({ stddev: 0.02 }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, , d] = inputShape as tf.Shape;
    return [b, this.numQueries, d];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.broadcastTo(this.queries.read(), [x.shape[0], this.numQueries, x.shape[2] as number]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numQueries: this.numQueries };
  }
}
tf.serialization.registerClass(ClassQueries);

export interface CrossAttentionArgs {
  numHeads: number;
  mlpDim: number;
  dropout: number;
  name?: string;
}

/**
 * One fusion layer: inputs [queries [B, Q, D], views [B, V, D]] -> [queries' [B, Q, D], attention [B, Q, V]]
 * (the attention probabilities averaged over heads, before dropout).
 */
export class CrossAttentionBlock extends tf.layers.Layer {
  static className = 'CrossAttentionBlock';
  readonly numHeads: number;
  readonly mlpDim: number;
  readonly dropout: number;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: CrossAttentionArgs) {
    super(args);
    if (!(args.dropout >= 0 && args.dropout < 1))
      throw new Error(`CrossAttentionBlock: dropout must be in [0, 1), got ${args.dropout}`);
    this.numHeads = args.numHeads;
    this.mlpDim = args.mlpDim;
    this.dropout = args.dropout;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape[])[0][2] as number;
    if (d % this.numHeads !== 0)
      throw new Error(`CrossAttentionBlock: dim ${d} is not divisible by ${this.numHeads} heads`);
    const add = (name: string, shape: number[], init: ReturnType<typeof tf.initializers.zeros>) =>
      (this.w[name] = this.addWeight(name, shape, 'float32', init));
    add('norm_q_gamma', [d], tf.initializers.ones());
    add('norm_q_beta', [d], tf.initializers.zeros());
    add('norm_kv_gamma', [d], tf.initializers.ones());
    add('norm_kv_beta', [d], tf.initializers.zeros());
    add('q_kernel', [d, d], tf.initializers.glorotUniform({}));
    add('q_bias', [d], tf.initializers.zeros());
    add('kv_kernel', [d, 2 * d], tf.initializers.glorotUniform({}));
    add('kv_bias', [2 * d], tf.initializers.zeros());
    add('out_kernel', [d, d], tf.initializers.glorotUniform({}));
    add('out_bias', [d], tf.initializers.zeros());
    add('norm2_gamma', [d], tf.initializers.ones());
    add('norm2_beta', [d], tf.initializers.zeros());
    add('fc1_kernel', [d, this.mlpDim], linearInit(d));
    add('fc1_bias', [this.mlpDim], linearInit(d));
    add('fc2_kernel', [this.mlpDim, d], linearInit(this.mlpDim));
    add('fc2_bias', [d], linearInit(this.mlpDim));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [q, kv] = inputShape as tf.Shape[];
    return [q, [q[0], q[1], kv[1]]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor[] {
    return tf.tidy(() => {
      const [q, kv] = inputs as tf.Tensor3D[];
      const training = kwargs.training === true && this.dropout > 0;
      const drop = (t: tf.Tensor) => (training ? tf.dropout(t, this.dropout) : t);
      const r = (name: string) => this.w[name].read();
      const [b, nq, d] = q.shape;
      const nv = kv.shape[1];
      const h = this.numHeads;
      const dh = d / h;
      const linear = (x: tf.Tensor, kernel: string, bias: string, n: number, out: number) =>
        tf
          .add(tf.matMul(tf.reshape(x, [b * n, x.shape[2] as number]), r(kernel) as tf.Tensor2D), r(bias))
          .reshape([b, n, out]);
      const heads = (t: tf.Tensor, n: number) => tf.transpose(tf.reshape(t, [b, n, h, dh]), [0, 2, 1, 3]); // [B, H, n, dh]
      const qn = layerNormOp(q, r('norm_q_gamma'), r('norm_q_beta'), 1e-6);
      const kvn = layerNormOp(kv, r('norm_kv_gamma'), r('norm_kv_beta'), 1e-6);
      const query = heads(linear(qn, 'q_kernel', 'q_bias', nq, d), nq);
      const [key, value] = tf.split(linear(kvn, 'kv_kernel', 'kv_bias', nv, 2 * d), 2, 2).map((t) => heads(t, nv));
      const probs = tf.softmax(tf.matMul(tf.mul(query, 1 / Math.sqrt(dh)), key, false, true)); // [B, H, Q, V]
      const context = tf.reshape(tf.transpose(tf.matMul(drop(probs), value), [0, 2, 1, 3]), [b, nq, d]);
      const attended = tf.add(q, drop(linear(context, 'out_kernel', 'out_bias', nq, d)));
      const hidden = drop(
        gelu(
          linear(
            layerNormOp(attended, r('norm2_gamma'), r('norm2_beta'), 1e-6),
            'fc1_kernel',
            'fc1_bias',
            nq,
            this.mlpDim,
          ),
        ),
      );
      const out = tf.add(attended, drop(linear(hidden, 'fc2_kernel', 'fc2_bias', nq, d)));
      return [out, tf.mean(probs, 1)];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, mlpDim: this.mlpDim, dropout: this.dropout };
  }
}
tf.serialization.registerClass(CrossAttentionBlock);

/** [B, Q, D] -> [B, Q]: logit_q = <w_q, h_q> + b_q, one weight vector per class (a group-wise linear layer). */
export class PerClassLinear extends tf.layers.Layer {
  static className = 'PerClassLinear';
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [, q, d] = inputShape as tf.Shape;
    this.kernel = this.addWeight('kernel', [q as number, d as number], 'float32', linearInit(d as number));
    this.bias = this.addWeight('bias', [q as number], 'float32', linearInit(d as number));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, q] = inputShape as tf.Shape;
    return [b, q];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.add(tf.sum(tf.mul(x, this.kernel.read()), 2), this.bias.read());
  }
}
tf.serialization.registerClass(PerClassLinear);
