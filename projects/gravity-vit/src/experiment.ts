// Everything an app `setup` needs for one run, built from the config: the dataset's sources, the model, the
// TrainModule, the per-epoch scores callback, and the end-of-run artefacts (view_attention.png ...).
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type Batch,
  type BatchSource,
  type Callback,
  countTorchParameters,
  MlflowCallback,
  createTrackingBackend,
  gitCommit,
  outputsDir,
} from '@research/common';
import { type BuiltModel, buildModel, resolveDataFile, splitSource } from './build';
import type { GravityVitConfig } from './config';
import { DURATIONS, GRAVITY_SPY_CLASSES, GravitySpyDataset } from './data';
import { ClassificationScores, type GravityModule, gravityModule, writeEvaluationArtifacts } from './training';

export interface GravityExperiment {
  dataset: GravitySpyDataset;
  built: BuiltModel;
  module: GravityModule;
  train?: BatchSource;
  val?: BatchSource;
  test: BatchSource;
  /** "synthetic (…/trainingset_synthetic.h5): 880 train / 220 validation / 220 test". */
  data: string;
  parameters: number;
  callbacks: Callback[];
  /** `model`: input -> logits as one graph (the multi-view model without its attention output), for ONNX export. */
  classifier: { predict(batch: Batch): tf.Tensor; classNames: readonly string[]; model: tf.LayersModel };
  /** The MLflow logger of a fit (also in `callbacks`); `afterTest` logs the test metrics and closes its run. */
  mlflow?: MlflowCallback;
  /**
   * Writes confusion_matrix.png, classification_report.txt, test_scores.json, view_attention.{png,json} into
   * `outDir`; with MLflow, logs `testMetrics` and these scores at step `step` and finishes the run (artifacts: the
   * run folder). Returns the set-wise test scores.
   */
  afterTest(outDir: string, testMetrics?: Record<string, number>, step?: number): Promise<Record<string, number>>;
  dispose(): void;
}

/** The model itself when it outputs only logits, else the graph of its first output (sharing its layers). */
function logitsModel(model: tf.LayersModel): tf.LayersModel {
  if (model.outputs.length === 1) return model;
  return tf.model({ inputs: model.inputs, outputs: model.outputs[0], name: `${model.name}_logits` });
}

export async function createGravityExperiment(
  config: GravityVitConfig,
  stage: 'fit' | 'evaluate',
  log: (line: string) => void = () => undefined,
): Promise<GravityExperiment> {
  const file = await resolveDataFile(config, log);
  const dataset = await GravitySpyDataset.open(file);
  if (dataset.problems.length > 0)
    log(
      `[gravity-vit] ${file}: ${dataset.problems.length} malformed entries skipped (npx nx run gravity-vit:data -- --h5 ${file} lists them)`,
    );
  const built = buildModel(config);
  if (built.pretrained)
    log(
      `[gravity-vit] encoder from ${config.model.pretrained}: ${built.pretrained.loaded.length} tensors${built.pretrained.resampledPosEmbed ? `, pos_embed ${built.pretrained.resampledPosEmbed.from.join('x')} -> ${built.pretrained.resampledPosEmbed.to.join('x')}` : ''}`,
    );
  const classWeights = config.data.class_weights ? dataset.classWeights('train') : undefined;
  const l = config.train.loss;
  const module = gravityModule(built.model, {
    loss: { name: l.name, labelSmoothing: l.label_smoothing, gamma: l.gamma, classWeights },
    numClasses: GRAVITY_SPY_CLASSES.length,
    numViews: built.numViews,
  });
  const train = stage === 'fit' ? splitSource(dataset, config, 'train') : undefined;
  const val = stage === 'fit' ? splitSource(dataset, config, 'validation') : undefined;
  const test = splitSource(dataset, config, 'test');
  const mlflow =
    stage === 'fit' && config.tracking.mlflow
      ? new MlflowCallback({
          backend: createTrackingBackend({
            defaultStore: config.tracking.store || path.join(outputsDir('gravity-vit'), 'mlruns'),
          }),
          experimentName: config.experiment.name,
          runName: `${config.model.name}${config.model.name === 'vit' ? `@${config.model.view}` : ''} seed ${config.seed}`,
          params: config as unknown as Record<string, unknown>,
          tags: { 'mlflow.source.git.commit': gitCommit(__dirname) ?? 'unknown', 'mlflow.source.name': 'gravity-vit' },
          finishOnFitEnd: false,
          log,
        })
      : undefined;
  const sizes = [train && `${train.size} train`, val && `${val.size} validation`, `${test.size} test`]
    .filter(Boolean)
    .join(' / ');
  return {
    dataset,
    built,
    module,
    train,
    val,
    test,
    data: `${config.data.name} (${file}): ${sizes}`,
    parameters: countTorchParameters(built.model),
    callbacks: [new ClassificationScores(), ...(mlflow ? [mlflow] : [])],
    mlflow,
    classifier: {
      predict: (batch) => {
        const out = built.model.apply(batch.x as tf.Tensor, { training: false }) as tf.Tensor | tf.Tensor[];
        return Array.isArray(out) ? out[0] : out;
      },
      classNames: GRAVITY_SPY_CLASSES,
      model: logitsModel(built.model),
    },
    async afterTest(outDir, testMetrics = {}, step = 0) {
      const { scores } = writeEvaluationArtifacts(
        module.predictions.test,
        outDir,
        GRAVITY_SPY_CLASSES,
        DURATIONS.map((d) => `${d} s`),
      );
      const figures = {
        test_balanced_accuracy: scores.balanced_accuracy,
        test_macro_f1: scores.macro_f1,
        test_weighted_f1: scores.weighted_f1,
      };
      if (mlflow?.trackedRun) {
        await mlflow.logMetrics({ ...testMetrics, ...figures }, step);
        await mlflow.finish('FINISHED');
      }
      return figures;
    },
    dispose() {
      built.model.dispose();
      dataset.close();
    },
  };
}
