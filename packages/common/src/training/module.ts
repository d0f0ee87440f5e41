import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data';
import type { NamedVariable } from './optim';
import { crossEntropy } from './losses';

/** Where a step runs: the trainer passes it to every step. */
export interface StepContext {
  epoch: number;
  batchIndex: number;
  globalStep: number;
  stage: 'train' | 'val' | 'test';
}

export interface TrainingStepOutput {
  /** The scalar that is differentiated. */
  loss: tf.Scalar;
  /** Extra scalars to log (e.g. each term of a multi-task loss, accuracy); averaged over the epoch by example count. */
  logs?: Record<string, tf.Scalar>;
}

/**
 * Evaluation outputs by name. A scalar is the batch mean (weighted by the batch size, i.e. the first dimension of
 * the batch's first tensor); a rank-1 tensor holds one value per example. Either way the trainer reports the exact
 * mean over all examples, however unequal the last batch is.
 */
export type EvaluationStepOutput = Record<string, tf.Tensor>;

/** Whatever holds weights: `models` (all their weights are checkpointed, their trainable ones optimized) and free `variables`. */
export interface WeightOwner {
  models?: Record<string, tf.LayersModel>;
  variables?: Record<string, tf.Variable>;
}

/** What the Trainer trains (LightningModule's role): the weights plus the steps. */
export interface TrainModule extends WeightOwner {
  /** Runs inside the gradient tape; tensors other than the returned ones are disposed by the trainer. */
  trainingStep(batch: Batch, ctx: StepContext): TrainingStepOutput;
  validationStep?(batch: Batch, ctx: StepContext): EvaluationStepOutput;
  /** Defaults to validationStep. */
  testStep?(batch: Batch, ctx: StepContext): EvaluationStepOutput;
  onFitStart?(): void | Promise<void>;
  onEpochStart?(epoch: number): void | Promise<void>;
  onEpochEnd?(epoch: number): void | Promise<void>;
}

export interface ModuleParameters {
  /** Every weight, in a stable order: checkpointed. */
  all: NamedVariable[];
  /** The subset that is optimized. */
  trainable: NamedVariable[];
  /** Human-readable tfjs names of `all` (for checkpoint manifests and messages). */
  displayNames: string[];
}

/**
 * Names a module's weights. Model weights are named by position (`<model>/<index>`) because tfjs' layer names
 * carry global counters (dense_Dense3) that differ between two builds of the same architecture in one process.
 */
export function moduleParameters(module: WeightOwner): ModuleParameters {
  const all: NamedVariable[] = [];
  const trainable: NamedVariable[] = [];
  const displayNames: string[] = [];
  for (const [key, model] of Object.entries(module.models ?? {})) {
    const trainableSet = new Set(model.trainableWeights.map((w) => w.read()));
    model.weights.forEach((w, i) => {
      const entry = { name: `${key}/${i}`, variable: w.read() as tf.Variable };
      all.push(entry);
      displayNames.push(w.originalName);
      if (trainableSet.has(entry.variable)) trainable.push(entry);
    });
  }
  for (const [key, variable] of Object.entries(module.variables ?? {})) {
    const entry = { name: `variables/${key}`, variable };
    all.push(entry);
    displayNames.push(variable.name);
    if (variable.trainable) trainable.push(entry);
  }
  if (trainable.length === 0) throw new Error('the module has no trainable weights (set `models` or `variables`)');
  return { all, trainable, displayNames };
}

export interface ClassificationModuleOptions {
  /** Loss from logits [N, C] and labels [N]; default cross-entropy. */
  loss?: (logits: tf.Tensor, labels: tf.Tensor) => tf.Scalar;
  inputKey?: string;
  targetKey?: string;
}

function batchTensor(batch: Batch, key: string): tf.Tensor {
  const t = batch[key];
  if (!t) throw new Error(`classificationModule: batch has no '${key}' (keys: ${Object.keys(batch).join(', ')})`);
  return t;
}

/** The common case: a model from inputs to logits, trained with cross-entropy (or `loss`); logs accuracy. */
export function classificationModule(model: tf.LayersModel, opts: ClassificationModuleOptions = {}): TrainModule {
  const { inputKey = 'x', targetKey = 'y' } = opts;
  const loss = opts.loss ?? ((logits, labels) => crossEntropy(logits, labels) as tf.Scalar);
  const forward = (batch: Batch, training: boolean) => {
    const logits = model.apply(batchTensor(batch, inputKey), { training }) as tf.Tensor;
    const labels = batchTensor(batch, targetKey);
    const correct = tf.equal(logits.argMax(-1), labels.toInt()).toFloat();
    return { loss: loss(logits, labels), correct };
  };
  return {
    models: { model },
    trainingStep(batch) {
      const { loss: l, correct } = forward(batch, true);
      return { loss: l, logs: { acc: correct.mean() as tf.Scalar } };
    },
    validationStep(batch) {
      const { loss: l, correct } = forward(batch, false);
      return { loss: l, acc: correct };
    },
  };
}
