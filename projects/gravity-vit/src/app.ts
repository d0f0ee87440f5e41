// gravity-vit as an app of common's run layer: the Hydra-style configs, the Trainer settings they give, and the
// experiment (data, model, module, scores, MLflow, view attention) that `createGravityExperiment` builds.
import { type AppDefinition, trainingPluginsFromConfig } from '@research/common';
import { trainerSettings } from './build';
import { CONFIG_DIR, checkGravityConfig, gravityVitSchema, type GravityVitConfig } from './config';
import { createGravityExperiment } from './experiment';

export const gravityVitApp: AppDefinition<GravityVitConfig> = {
  project: 'gravity-vit',
  description: 'multi-view ViT with cross-attention fusion for LIGO glitch classification (Gravity Spy)',
  configDir: CONFIG_DIR,
  defaultConfig: 'config',
  schema: gravityVitSchema,
  keys: { epochs: 'train.epochs', seed: 'seed', experimentName: 'experiment.name' },
  trainer: (config) => trainerSettings(checkGravityConfig(config)),
  async setup(config, ctx) {
    const exp = await createGravityExperiment(checkGravityConfig(config), ctx.stage, ctx.log);
    const amp =
      ctx.stage === 'fit' && config.train.mixed_precision
        ? trainingPluginsFromConfig(
            { trainer_type: 'mixed_precision', amp_dtype: config.train.amp_dtype },
            { batchSize: config.data.batch_size, epochs: config.train.epochs, seed: config.seed },
          )
        : undefined;
    return {
      module: exp.module,
      train: exp.train,
      val: exp.val,
      test: exp.test,
      data: exp.data,
      parameters: exp.parameters,
      callbacks: [...(amp?.callbacks ?? []), ...exp.callbacks],
      precision: amp?.precision,
      classifier: exp.classifier,
      // view_attention.{png,json}, test scores (balanced accuracy, F1), MLflow's test metrics and the run's end.
      afterTest: ({ outDir, metrics, bestEpoch }) => exp.afterTest(outDir, metrics, bestEpoch ?? 0),
      dispose: () => exp.dispose(),
    };
  },
};
