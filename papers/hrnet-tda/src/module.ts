// The TrainModule of an HRNet classifier: cross-entropy, optionally plus the topological regulariser on the pooled
// features; evaluation reports per-example loss, top-1 and top-5 correctness (exact means over a split).
import * as tf from '@tensorflow/tfjs';
import { type Batch, type TrainModule, type TrainingStepOutput, crossEntropy, POOLED_LAYER } from '@research/common';
import { moorTopologicalLoss } from './topology/moor';

export interface HrnetModuleOptions {
  /** Weight of the Moor et al. loss between the input batch and its pooled features (0: plain cross-entropy). */
  topoWeight?: number;
}

function tensorOf(batch: Batch, key: string): tf.Tensor {
  const t = batch[key];
  if (!t) throw new Error(`hrnetModule: batch has no '${key}' (keys: ${Object.keys(batch).join(', ')})`);
  return t;
}

/** Per-example 1/0: the true class is among the k largest logits (ties counted in the true class's favour). */
export function topKCorrect(logits: tf.Tensor, labels: tf.Tensor, k: number): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = logits.shape[1] as number;
    const trueLogit = logits.mul(tf.oneHot(labels.toInt(), classes)).sum(1, true);
    const higher = logits.greater(trueLogit).toFloat().sum(1);
    return higher.less(Math.min(k, classes)).toFloat() as tf.Tensor1D;
  });
}

export function hrnetModule(model: tf.LayersModel, options: HrnetModuleOptions = {}): TrainModule {
  const topoWeight = options.topoWeight ?? 0;
  // Shares the classifier's layers and weights; outputs the logits and the 2048-d pooled features.
  const withFeatures = tf.model({
    inputs: model.inputs,
    outputs: [model.outputs[0], model.getLayer(POOLED_LAYER).output as tf.SymbolicTensor],
  });
  // Moor et al. divide the latent distances by a learnt scale initialised to 1.
  const latentScale = topoWeight > 0 ? tf.variable(tf.scalar(1), true, 'topo_latent_scale') : undefined;

  const evaluate = (batch: Batch) => {
    const logits = model.apply(tensorOf(batch, 'x'), { training: false }) as tf.Tensor;
    const labels = tensorOf(batch, 'y');
    return {
      loss: crossEntropy(logits, labels, { reduction: 'none' }),
      acc: topKCorrect(logits, labels, 1),
      top5: topKCorrect(logits, labels, 5),
    };
  };

  return {
    models: { model },
    variables: latentScale ? { topo_latent_scale: latentScale } : undefined,
    trainingStep(batch): TrainingStepOutput {
      const x = tensorOf(batch, 'x');
      const labels = tensorOf(batch, 'y');
      if (!latentScale) {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        return {
          loss: crossEntropy(logits, labels) as tf.Scalar,
          logs: { acc: topKCorrect(logits, labels, 1).mean() as tf.Scalar },
        };
      }
      const [logits, pooled] = withFeatures.apply(x, { training: true }) as tf.Tensor[];
      const ce = crossEntropy(logits, labels) as tf.Scalar;
      const topo = moorTopologicalLoss(x, pooled as tf.Tensor2D, { latentScale });
      return {
        loss: ce.add(topo.mul(topoWeight)) as tf.Scalar,
        logs: { acc: topKCorrect(logits, labels, 1).mean() as tf.Scalar, ce, topo },
      };
    },
    validationStep: evaluate,
    testStep: evaluate,
  };
}
