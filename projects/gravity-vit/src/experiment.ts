// Everything an app `setup` needs for one run, built from the config: the dataset's sources, the model, the
// TrainModule, the per-epoch scores callback, and the end-of-run artefacts (view_attention.png ...).
import type * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource, Callback } from '@research/common';
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
  classifier: { predict(batch: Batch): tf.Tensor; classNames: readonly string[] };
  /** Writes confusion_matrix.png, classification_report.txt, test_scores.json, view_attention.{png,json}. */
  afterTest(outDir: string): Record<string, number>;
  dispose(): void;
}

export async function createGravityExperiment(config: GravityVitConfig, stage: 'fit' | 'evaluate', log: (line: string) => void = () => undefined): Promise<GravityExperiment> {
  const file = await resolveDataFile(config, log);
  const dataset = await GravitySpyDataset.open(file);
  if (dataset.problems.length > 0) log(`[gravity-vit] ${file}: ${dataset.problems.length} malformed entries skipped (npx nx run gravity-vit:data -- --h5 ${file} lists them)`);
  const built = buildModel(config);
  if (built.pretrained) log(`[gravity-vit] encoder from ${config.model.pretrained}: ${built.pretrained.loaded.length} tensors${built.pretrained.resampledPosEmbed ? `, pos_embed ${built.pretrained.resampledPosEmbed.from.join('x')} -> ${built.pretrained.resampledPosEmbed.to.join('x')}` : ''}`);
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
  const sizes = [train && `${train.size} train`, val && `${val.size} validation`, `${test.size} test`].filter(Boolean).join(' / ');
  return {
    dataset,
    built,
    module,
    train,
    val,
    test,
    data: `${config.data.name} (${file}): ${sizes}`,
    parameters: built.model.countParams(),
    callbacks: [new ClassificationScores()],
    classifier: {
      predict: (batch) => {
        const out = built.model.apply(batch.x as tf.Tensor, { training: false }) as tf.Tensor | tf.Tensor[];
        return Array.isArray(out) ? out[0] : out;
      },
      classNames: GRAVITY_SPY_CLASSES,
    },
    afterTest(outDir) {
      const { scores } = writeEvaluationArtifacts(module.predictions.test, outDir, GRAVITY_SPY_CLASSES, DURATIONS.map((d) => `${d} s`));
      return { test_balanced_accuracy: scores.balanced_accuracy, test_macro_f1: scores.macro_f1, test_weighted_f1: scores.weighted_f1 };
    },
    dispose() {
      built.model.dispose();
      dataset.close();
    },
  };
}
