// The framework as an app of common's run layer (`tools train` / `tools inference`): a user's config file (written by
// `tools init-config`) -> the fold's datasets, the registry's model, the trainer type's plugins, and run folders
// named `<runs_dir>/<dataset>_<overrides>_fold_<k>`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendPreference } from '../backend';
import { composeConfig, ConfigError } from '../config';
import { checkImageFiles } from '../data';
import { getPath, type ConfigTree } from '../config/tree';
import { countTorchParameters, createModel } from '../models';
import type { AppDefinition, TrainerSettings } from '../run/app';
import { classificationModule, indexedImageExamples, trainingPluginsFromConfig, type EpochRecord } from '../training';
import type * as tf from '@tensorflow/tfjs';
import { frameworkDataset, frameworkOptimizerSpec, frameworkScheduleSpec } from './build';
import { frameworkSchema, type FrameworkConfig } from './config-schema';
import { crossCheckFrameworkConfig } from './load-config';
import { trainingSamplesCallback } from './samples';

export interface FrameworkAppOptions {
  /** The config file a new run composes (`tools train --config`); a resume or an evaluation reads the run's own. */
  configFile?: string;
  /** Tensor backend (default auto: tfjs-node when installed, else wasm). */
  backend?: BackendPreference;
}

/** Short names of the overrides the reference's flags set, in run folder names (`batch_32`, `lr_0.01`). */
const SHORT_NAMES: Record<string, string> = {
  'data.batch_size': 'batch',
  'optimizer.lr': 'lr',
  'training.num_epochs': 'epochs',
};
/** Keys that are part of the name elsewhere (the fold) or do not change the run (where it is written). */
const UNNAMED_KEYS = new Set(['data.fold', 'training.runs_dir', 'training.log_every_n_steps']);

/** A value as a folder-name fragment: characters other than letters, digits and `._=+-` become `-`. */
function nameFragment(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/[^A-Za-z0-9._=+-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'x';
}

/**
 * `<dataset>_<overrides>_fold_<k>`: the dataset is data_dir's folder name; each overridden key whose value differs from
 * `base` (the config file as written) adds `<short name>_<value>`, in the order given (the last segment of the key
 * unless it is batch / lr / epochs).
 */
export function frameworkRunName(
  config: FrameworkConfig,
  base: FrameworkConfig | undefined,
  overrides: readonly string[],
): string {
  const parts = [nameFragment(path.basename(path.resolve(config.data.data_dir)))];
  const seen = new Set<string>();
  for (const override of overrides) {
    const match = /^\+{0,2}([A-Za-z0-9_.]+)=/.exec(override);
    if (!match || seen.has(match[1]) || UNNAMED_KEYS.has(match[1])) continue;
    seen.add(match[1]);
    const keys = match[1].split('.');
    const value = getPath(config as unknown as ConfigTree, keys).value;
    const before = base ? getPath(base as unknown as ConfigTree, keys).value : undefined;
    if (value === undefined || JSON.stringify(value) === JSON.stringify(before)) continue;
    parts.push(`${SHORT_NAMES[match[1]] ?? nameFragment(keys[keys.length - 1])}_${nameFragment(value)}`);
  }
  parts.push(`fold_${config.data.fold}`);
  return parts.join('_');
}

function checkConfig(c: FrameworkConfig): void {
  const problems = crossCheckFrameworkConfig(c);
  if (problems.length > 0) throw new ConfigError(`invalid framework config: ${problems.join('; ')}`);
}

/** The framework's TrainerSettings: optimizer, per-epoch schedule, checkpoint metric and early stopping of the config. */
export function frameworkTrainerSettings(c: FrameworkConfig, backend: BackendPreference = 'auto'): TrainerSettings {
  checkConfig(c);
  const t = c.training;
  return {
    epochs: t.num_epochs,
    seed: c.seed,
    backend,
    optimizer: frameworkOptimizerSpec(c),
    schedule: frameworkScheduleSpec(c),
    checkpoint: t.checkpoint,
    logEveryNSteps: t.log_every_n_steps,
    earlyStopping: t.early_stopping.enabled
      ? {
          monitor: t.checkpoint.monitor,
          mode: t.checkpoint.mode,
          patience: t.early_stopping.patience,
          minDelta: t.early_stopping.min_delta,
        }
      : undefined,
  };
}

/** The registry's model of a config, built for its image size, channels and classes. */
export function frameworkModel(c: FrameworkConfig): tf.LayersModel {
  const { image_size: size, channels } = c.data;
  return createModel(c.model.architecture, {
    inputShape: [size, size, channels],
    numClasses: c.model.num_classes,
    dropout: c.model.dropout,
    pretrained: c.model.pretrained,
    weights: c.model.weights,
  });
}

/** dp: the privacy spent by the whole fit (the last epoch's epsilon) in results.json; nothing for other trainers. */
function privacyResults(c: FrameworkConfig, history: readonly EpochRecord[]): Record<string, unknown> {
  const last = history[history.length - 1];
  if (c.training.trainer_type !== 'dp' || last?.epsilon === undefined) return {};
  return { epsilon: last.epsilon, dp_delta: c.training.dp.target_delta, dp_best_order: last.dp_best_order };
}

/** The framework app; `configFile` is the user's config for a new run. */
export function frameworkApp(opts: FrameworkAppOptions = {}): AppDefinition<FrameworkConfig> {
  const configFile = opts.configFile === undefined ? undefined : path.resolve(opts.configFile);
  return {
    project: 'framework',
    description:
      'image classification on a folder of class sub-folders (tools split / init-config / train / inference)',
    configDir: configFile ? path.dirname(configFile) : process.cwd(),
    defaultConfig: configFile ?? '',
    configs: {
      list: () => (configFile ? [configFile] : []),
      resolve(name) {
        const file = path.resolve(name);
        if (name === '' || !fs.existsSync(file)) {
          throw new ConfigError(
            `config file ${name || '(none)'} does not exist (write one with \`tools init-config <data_dir>\`)`,
          );
        }
        return file;
      },
    },
    schema: frameworkSchema,
    keys: { epochs: 'training.num_epochs', seed: 'seed' },
    runFolder(config, overrides) {
      // The file as written, to tell which overrides change it (a resume never gets here: it keeps its folder).
      const base = configFile
        ? composeConfig<FrameworkConfig>({
            configDir: path.dirname(configFile),
            configName: path.basename(configFile),
            overrides: [],
            schema: frameworkSchema,
          })
        : undefined;
      return { parent: path.resolve(config.training.runs_dir), name: frameworkRunName(config, base, overrides) };
    },
    trainer: (config) => frameworkTrainerSettings(config, opts.backend),
    inputSizeOverrides(_config, [height, width]) {
      if (height !== width)
        throw new ConfigError(
          `--input_size ${height} ${width}: a framework config has one data.image_size (square images)`,
        );
      return [`data.image_size=${height}`];
    },
    // How an accelerate worker thread rebuilds this app (then its setup from the run's config).
    factory: { module: __filename, export: 'frameworkApp', args: { configFile, backend: opts.backend } },
    async setup(c, ctx) {
      const train = frameworkDataset(c, 'train');
      const val = frameworkDataset(c, 'val');
      const test = frameworkDataset(c, 'test');
      // Every image the run reads, decoded once before anything trains (a corrupt file fails now, by name).
      if (c.data.check_images !== 'off') {
        const files = ctx.stage === 'fit' ? [...train.paths, ...val.paths, ...test.paths] : test.paths;
        await checkImageFiles(files, `fold ${c.data.fold} of ${c.data.data_dir}`, {
          depth: c.data.check_images,
          concurrency: c.data.num_workers,
          log: ctx.log,
        });
      }
      const plugins =
        ctx.stage === 'fit'
          ? trainingPluginsFromConfig(c.training, {
              // dp Poisson-samples indices of the training images and decodes the sampled ones.
              examples: c.training.trainer_type === 'dp' ? indexedImageExamples(train) : undefined,
              batchSize: c.data.batch_size,
              epochs: c.training.num_epochs,
              seed: c.seed,
              replica: ctx.replica,
            })
          : undefined;
      if (plugins) ctx.log(`[framework] trainer: ${plugins.description}`);
      const model = frameworkModel(c);
      const dataset = path.basename(path.resolve(c.data.data_dir));
      return {
        module: classificationModule(model),
        train: ctx.stage === 'fit' ? (plugins?.trainSource ?? train) : undefined,
        val: ctx.stage === 'fit' ? val : undefined,
        test,
        data: `${dataset} fold ${c.data.fold}: ${train.size} train / ${val.size} val / ${test.size} test images (${path.resolve(c.data.data_dir)})`,
        parameters: countTorchParameters(model),
        strategy: plugins?.strategy,
        precision: plugins?.precision,
        callbacks:
          ctx.stage === 'fit'
            ? [trainingSamplesCallback(train, c.data, test.classes), ...(plugins?.callbacks ?? [])]
            : undefined,
        classifier: {
          predict: (batch) => model.predict(batch.x as tf.Tensor) as tf.Tensor,
          classNames: test.classes,
          model,
        },
        afterTest: ({ history }) => privacyResults(c, history),
        dispose: () => {
          void plugins?.dispose?.();
          model.dispose();
        },
      };
    },
  };
}
