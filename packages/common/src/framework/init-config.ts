// `init-config`: a first framework config for a data folder, filled from what the images say (classes, size,
// channels, per-channel statistics), with an optional search section.
import * as fs from 'node:fs';
import * as path from 'node:path';
import convict from 'convict';
import sharp from 'sharp';
import { computeChannelStats, listImageFolder, readIndexFile, splitIndexFiles } from '../data';
import { listModels } from '../models';
import { frameworkSchema, type FrameworkConfig } from './config-schema';
import type { SearchSection } from './search-section';

export interface InitConfigOptions {
  /** Add a `search:` section with a default space. */
  optuna?: boolean;
  /** At most this many images (evenly spaced over the list) are inspected for size, channels and statistics. */
  maxImages?: number;
}

export interface InitConfigResult {
  config: FrameworkConfig;
  /** The data folder's name: configs/<dataset>_config.yaml. */
  dataset: string;
  /** What the statistics were computed over, for the file's header and the console. */
  statsSource: string;
  imagesInspected: number;
}

/** The largest image side init-config proposes; bigger or mixed-size images are resized to it (torchvision's 224). */
const MAX_IMAGE_SIZE = 224;

function evenlySpaced<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]);
}

/** The default search space: lr and weight decay log-uniform, batch size and optimizer categorical. */
export function defaultSearchSection(dataset: string): SearchSection {
  return {
    study_name: `${dataset}_search`,
    storage: null, // tools search: sqlite:///<runs>/optuna_studies/<study>/study.db
    n_trials: 20,
    direction: 'maximize',
    metric: 'val_acc',
    sampler: 'tpe',
    pruner: 'median',
    search_space: {
      optimizer: {
        lr: { type: 'loguniform', low: 1e-5, high: 1e-1 },
        weight_decay: { type: 'loguniform', low: 1e-6, high: 1e-2 },
        name: { type: 'categorical', choices: ['sgd', 'adam', 'adamw'] },
      },
      data: { batch_size: { type: 'categorical', choices: [16, 32, 64] } },
    },
  };
}

/**
 * Builds the config of `dataDir` (holding raw/<class>/<image>):
 * - class_names = the sorted class folders, num_classes their count;
 * - channels = 1 when every inspected image is grey, else 3;
 * - image_size = the shorter side when every inspected image has the same size (capped at 224), else 224;
 * - mean/std = per-channel statistics of the images resized to image_size, over fold 0's train list when
 *   `tools split` has run (so no test or validation image leaks in), else over all of raw/;
 * - the architecture `simple_cnn` when it is registered, else the first registered model.
 */
export async function buildInitialConfig(dataDir: string, opts: InitConfigOptions = {}): Promise<InitConfigResult> {
  const root = path.resolve(dataDir);
  const dataset = path.basename(root);
  const index = listImageFolder(path.join(root, 'raw'));
  const trainList = splitIndexFiles(root, 0).train;
  const fromSplit = fs.existsSync(trainList);
  const files = fromSplit
    ? readIndexFile(trainList, root)
    : index.files.map((f) => path.relative(root, f).split(path.sep).join('/'));
  const inspected = evenlySpaced(files, opts.maxImages ?? 2000);

  const metas = await Promise.all(
    inspected.map(async (f) => {
      try {
        return await sharp(path.join(root, f)).metadata();
      } catch (err) {
        throw new Error(`init-config: cannot read ${path.join(root, f)}: ${(err as Error).message}`, { cause: err });
      }
    }),
  );
  const grey = metas.every((m) => m.space === 'b-w' || (m.channels ?? 3) <= 2);
  const channels: 1 | 3 = grey ? 1 : 3;
  const sameSize = metas.every((m) => m.width === metas[0].width && m.height === metas[0].height);
  const imageSize = sameSize
    ? Math.min(MAX_IMAGE_SIZE, metas[0].width ?? MAX_IMAGE_SIZE, metas[0].height ?? MAX_IMAGE_SIZE)
    : MAX_IMAGE_SIZE;
  const stats = await computeChannelStats(root, inspected, { channels, size: [imageSize, imageSize] });

  const config = convict(frameworkSchema, { env: {}, args: [] }).getProperties() as FrameworkConfig;
  const relative = path.relative(process.cwd(), root);
  config.data.data_dir = relative && !relative.startsWith('..') ? relative : root;
  config.data.image_size = imageSize;
  config.data.channels = channels;
  config.data.class_names = index.classes;
  config.data.mean = stats.mean.map((v) => Number(v.toFixed(4)));
  config.data.std = stats.std.map((v) => Number(v.toFixed(4)));
  config.model.num_classes = index.classes.length;
  const models = listModels();
  config.model.architecture = models.includes('simple_cnn') ? 'simple_cnn' : (models[0] ?? 'simple_cnn');
  config.model.type = 'custom';
  if (opts.optuna) config.search = defaultSearchSection(dataset);
  const statsSource = fromSplit
    ? `${inspected.length} of the ${files.length} images of splits/fold_0_train.txt`
    : `${inspected.length} of the ${files.length} images of raw/ (run tools split first to use fold 0's train list)`;
  return { config, dataset, statsSource, imagesInspected: inspected.length };
}
