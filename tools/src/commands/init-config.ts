// `tools init-config <data_dir>`: writes configs/<dataset>_config.yaml, a documented framework config filled from the images.
import { buildInitialConfig, loadFrameworkConfig, renderFrameworkConfig, writeFileAtomic } from '@research/common';
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface InitConfigOptions {
  optuna?: boolean;
  output?: string;
  force?: boolean;
  maxImages?: string;
  max_images?: string;
}

export function register(program: Command): void {
  program
    .command('init-config')
    .description('write configs/<dataset>_config.yaml for <data_dir> (class names, image size, channel statistics)')
    .argument('<data_dir>', 'folder holding raw/<class>/<image> (and splits/ after `tools split`)')
    .option('--optuna', 'add a search: section (lr, weight decay, batch size, optimizer)')
    .option('--output <file>', 'where to write (default configs/<dataset>_config.yaml)')
    .option('--force', 'overwrite an existing file')
    .option('--max-images <n>', 'images inspected for size, channels and statistics (evenly spaced)', '2000')
    .option('--max_images <n>', 'alias of --max-images')
    .action(async (dataDir: string, o: InitConfigOptions) => {
      const maxText = o.max_images ?? o.maxImages ?? '2000';
      const maxImages = Number(maxText);
      if (!Number.isInteger(maxImages) || maxImages <= 0)
        throw new Error(`--max-images: expected a positive integer, got '${maxText}'`);
      const dataset = path.basename(path.resolve(dataDir));
      const output = o.output ?? path.join('configs', `${dataset}_config.yaml`);
      if (fs.existsSync(output) && !o.force) throw new Error(`${output} already exists; pass --force to overwrite it`);
      const result = await buildInitialConfig(dataDir, { optuna: o.optuna, maxImages });
      const { config } = result;
      const text = renderFrameworkConfig(config, [
        `Framework config for ${dataset}, written by \`tools init-config ${dataDir}${o.optuna ? ' --optuna' : ''}\`.`,
        `Classes: the sorted folders of ${path.join(config.data.data_dir, 'raw')}; image statistics from ${result.statsSource}.`,
        'Load with overrides: tools train --config <this file> optimizer.lr=0.01 data.fold=1',
      ]);
      writeFileAtomic(output, text);
      loadFrameworkConfig(output); // what was written must load; a failure here is a bug worth seeing
      console.log(
        `wrote ${output}: ${config.model.num_classes} classes, ${config.data.image_size}x${config.data.image_size}x${config.data.channels}, ` +
          `mean [${config.data.mean.join(', ')}], std [${config.data.std.join(', ')}] (${result.statsSource})`,
      );
    });
}
