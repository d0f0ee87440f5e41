// `tools download-hf-dataset` and `tools download-hf-model`: Hub downloads into assets/ (see @research/common's hub).
import {
  downloadDataset,
  downloadModel,
  formatBytes,
  findParquetSplitFiles,
  readParquetImageDataset,
  writeIdxImageFolder,
  type DownloadResult,
} from '@research/common';
import type { Command } from 'commander';

interface CommonFlags {
  revision: string;
  hubUrl?: string;
  quiet?: boolean;
}

function summary(what: string, r: DownloadResult): string {
  const fetched = r.downloaded.length
    ? `${r.downloaded.length} file(s) downloaded (${formatBytes(r.bytes)})`
    : 'nothing to download';
  return `${what} at ${r.commit.slice(0, 12)} -> ${r.dir}: ${fetched}, ${r.upToDate.length} already up to date`;
}

/**
 * Writes `train-*` / `t10k-*` IDX files for the train and test splits found in a downloaded parquet dataset, the
 * layout the data module's IDX loaders (loadFashionMnist, loadMnist) read.
 */
async function writeIdxSplits(dir: string, config: string | undefined, log: (l: string) => void): Promise<void> {
  for (const [split, prefix] of [
    ['train', 'train'],
    ['test', 't10k'],
  ] as const) {
    // A dataset without this split is fine; a file of the split that cannot be read is an error naming it.
    let files: string[];
    try {
      files = findParquetSplitFiles(dir, split, config);
    } catch (err) {
      log(`no ${split} split converted: ${(err as Error).message}`);
      continue;
    }
    const dataset = await readParquetImageDataset(files);
    const { images, labels } = writeIdxImageFolder(dataset, dir, prefix);
    log(`${split}: ${dataset.length} images [${dataset.imageShape}] -> ${images}, ${labels}`);
  }
}

export function register(program: Command): void {
  program
    .command('download-hf-dataset')
    .description(
      'download a Hugging Face Hub dataset (all files, or the parquet files of one config/split) into assets/datasets/<name>',
    )
    .requiredOption('--name <id>', 'dataset repo id, e.g. zalando-datasets/fashion_mnist')
    .option('--config <config>', 'only this config (first folder of the parquet layout; "default" = data/)')
    .option('--split <split>', 'only this split, e.g. train or test')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--hub-url <url>', 'Hub mirror (default $HF_ENDPOINT, else https://huggingface.co)')
    .option('--as <local-name>', 'folder name under assets/datasets (default: the repo id)')
    .option(
      '--to-idx',
      'also write the train/test splits as MNIST-layout IDX files (train-*, t10k-*) next to the parquet files',
    )
    .option('--quiet', 'no progress output')
    .action(
      async (o: CommonFlags & { name: string; config?: string; split?: string; as?: string; toIdx?: boolean }) => {
        const r = await downloadDataset({
          name: o.name,
          config: o.config,
          split: o.split,
          revision: o.revision,
          hubUrl: o.hubUrl,
          localName: o.as,
          progress: !o.quiet,
        });
        console.log(summary(`dataset "${o.name}"`, r));
        if (o.toIdx) await writeIdxSplits(r.dir, o.config, (l) => console.log(l));
      },
    );

  program
    .command('download-hf-model')
    .description('download a Hugging Face Hub model repo (or one file of it) into assets/models/<repo-id>')
    .requiredOption('--repo-id <id>', 'model repo id, e.g. google/vit-base-patch16-224')
    .option('--filename <path>', 'only this file of the repo, e.g. model.safetensors')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--hub-url <url>', 'Hub mirror (default $HF_ENDPOINT, else https://huggingface.co)')
    .option('--quiet', 'no progress output')
    .action(async (o: CommonFlags & { repoId: string; filename?: string }) => {
      const r = await downloadModel({
        repoId: o.repoId,
        filename: o.filename,
        revision: o.revision,
        hubUrl: o.hubUrl,
        progress: !o.quiet,
      });
      console.log(summary(`model "${o.repoId}"`, r));
    });
}
