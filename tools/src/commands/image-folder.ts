// `tools image-folder fashion-mnist`: writes an IDX dataset as an image folder of PNG files, <out>/raw/<class>/...
import {
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
  folderSafeName,
  loadFashionMnist,
  loadMnist,
  writeImageFolder,
  type DatasetSplit,
  type ImageFolderPart,
  type LoadedDataset,
} from '@research/common';
import type { Command } from 'commander';
import * as path from 'node:path';

const DATASETS: Record<
  string,
  { classes: readonly string[]; load: (opts: { split: DatasetSplit; root?: string }) => LoadedDataset }
> = {
  'fashion-mnist': { classes: FASHION_MNIST_CLASSES, load: loadFashionMnist },
  mnist: { classes: MNIST_CLASSES, load: loadMnist },
};

interface ImageFolderOptions {
  from?: string;
  out: string;
  perClass?: string;
  per_class?: string;
  split: string;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a positive integer, got '${text}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('image-folder')
    .description('write an IDX dataset (fashion-mnist, mnist) as PNG files <out>/raw/<class>/<split>_<index>.png')
    .argument('<dataset>', `one of ${Object.keys(DATASETS).join(', ')}`)
    .option('--from <dir>', 'folder with the IDX files (default: assets/datasets/<dataset>, else the embedded sample)')
    .requiredOption('--out <dir>', 'the data folder; images go to <out>/raw (which must not exist yet)')
    .option('--per-class <n>', 'keep the first n images of each class of each split')
    .option('--per_class <n>', 'alias of --per-class')
    .option('--split <split>', 'train, test or all', 'all')
    .action(async (name: string, o: ImageFolderOptions) => {
      const dataset = DATASETS[name];
      if (!dataset)
        throw new Error(`image-folder: unknown dataset '${name}'; known: ${Object.keys(DATASETS).join(', ')}`);
      if (!['train', 'test', 'all'].includes(o.split))
        throw new Error(`--split: expected train, test or all, got '${o.split}'`);
      const perClass = positiveInt(o.perClass ?? o.per_class, '--per-class');
      const splits: DatasetSplit[] = o.split === 'all' ? ['train', 'test'] : [o.split as DatasetSplit];
      const parts: ImageFolderPart[] = splits.map((split) => {
        const loaded = dataset.load({ split, root: o.from });
        console.log(`${name} ${split}: ${loaded.dataset.length} images from ${loaded.dir} (${loaded.source})`);
        return { split, dataset: loaded.dataset };
      });
      const summary = await writeImageFolder(path.join(o.out, 'raw'), parts, { classNames: dataset.classes, perClass });
      const renamed = dataset.classes
        .filter((c) => folderSafeName(c) !== c)
        .map((c) => `'${c}' -> ${folderSafeName(c)}`);
      console.log(
        `wrote ${summary.total} PNG files into ${summary.root} (${Object.keys(summary.counts).length} class folders)`,
      );
      if (renamed.length > 0) console.log(`folder names made file-system safe: ${renamed.join(', ')}`);
    });
}
