// The LR range test of a framework config: its model (from the registry), the fold's training images with the
// training transforms, its optimizer; results into <output>/lr_finder_<timestamp>/.
import * as path from 'node:path';
import { createModel } from '../models';
import {
  classificationModule,
  createOptimizer,
  lrRangeTest,
  seedEverything,
  writeLrFinderReport,
  type LrRangeTestOptions,
  type LrRangeTestResult,
} from '../training';
import type { FrameworkConfig } from './config-schema';
import { frameworkDataset, frameworkOptimizerSpec } from './build';

export interface FrameworkLrFinderOptions extends LrRangeTestOptions {
  /** The fold whose train list feeds the test; default the config's data.fold. */
  fold?: number;
  /** Parent of the lr_finder_<timestamp> folder; default training.runs_dir. */
  outputDir?: string;
}

export interface FrameworkLrFinderRun {
  dir: string;
  result: LrRangeTestResult;
}

/** Seeds (config.seed), builds the model with `createModel(model.architecture, ...)`, runs the range test, writes its report. */
export async function runFrameworkLrFinder(
  config: FrameworkConfig,
  opts: FrameworkLrFinderOptions = {},
): Promise<FrameworkLrFinderRun> {
  seedEverything(config.seed);
  const fold = opts.fold ?? config.data.fold;
  const data = frameworkDataset(config, 'train', { fold });
  const { image_size: size, channels } = config.data;
  const model = createModel(config.model.architecture, {
    inputShape: [size, size, channels],
    numClasses: config.model.num_classes,
    dropout: config.model.dropout,
    pretrained: config.model.pretrained,
    weights: config.model.weights,
  });
  try {
    const result = await lrRangeTest(
      classificationModule(model),
      data,
      (lr) => createOptimizer(frameworkOptimizerSpec(config, lr)),
      opts,
    );
    const dir = writeLrFinderReport(opts.outputDir ?? config.training.runs_dir, result, {
      dataset: path.basename(path.resolve(config.data.data_dir)),
      fold,
      architecture: config.model.architecture,
      optimizer: config.optimizer.name,
      batch_size: config.data.batch_size,
      train_images: data.size,
    });
    return { dir, result };
  } finally {
    model.dispose();
  }
}
