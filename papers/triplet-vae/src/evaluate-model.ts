// The paper's test figures for a model: test accuracy and loss terms, kNN accuracy of the embeddings (the training
// embeddings as the index), reconstruction MSE.
import { createOptimizer, Trainer, type TrainModule } from '@research/common';
import type { TripletVaeConfig } from './config';
import { evalSource, type RunData } from './data';
import { accuracyOf, knnAccuracy, runInference, type DatasetOutputs } from './evaluation';
import type { TripletVaeModel } from './model';
import { tripletVaeModule } from './module';

export interface EvaluationResult {
  /** test_acc, test_loss and every test loss term, knn_acc, and rec_mse in multi-task mode. */
  metrics: Record<string, number>;
  testOutputs: DatasetOutputs;
}

export async function evaluateModel(
  model: TripletVaeModel,
  config: TripletVaeConfig,
  data: Pick<RunData, 'train' | 'test'>,
  opts: { trainer?: Trainer; module?: TrainModule; log?: (line: string) => void } = {},
): Promise<EvaluationResult> {
  const log = opts.log ?? console.log;
  const module = opts.module ?? tripletVaeModule(model, config.loss);
  // The Trainer's evaluation loop gives the exact per-example means of the loss terms.
  const trainer = opts.trainer ?? new Trainer({ maxEpochs: 1, optimizer: createOptimizer({ name: 'adam', lr: 1e-3 }) });
  const losses = await trainer.test(module, evalSource(data.test, 256));
  const started = performance.now();
  const trainOutputs = await runInference(model, data.train);
  const testOutputs = await runInference(model, data.test);
  const testAcc = accuracyOf(testOutputs.predictions, testOutputs.labels);
  const knn = knnAccuracy(trainOutputs, testOutputs, config.eval.knn_k);
  log(`evaluation: inference and kNN over ${data.train.length} + ${data.test.length} images in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const metrics: Record<string, number> = { ...losses, test_acc: testAcc, knn_acc: knn };
  if (testOutputs.reconstructionMse !== undefined) metrics.rec_mse = testOutputs.reconstructionMse;
  return { metrics, testOutputs };
}
