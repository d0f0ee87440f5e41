// `tools link-asset` and `tools import-dataset`: one copy of each dataset under assets/, symlinks everywhere else.
import { importDataset, linkAsset } from '@research/common';
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('link-asset')
    .description('symlink assets/datasets/<name> into a folder (never a copy; a real folder in the way is left alone)')
    .requiredOption('--dataset <name>', 'a dataset under assets/datasets')
    .requiredOption('--into <dir>', 'the folder that receives the link <dir>/<name>')
    .action((o: { dataset: string; into: string }) => {
      const r = linkAsset(o);
      console.log(`${r.link} -> ${r.target} (${r.status})`);
    });

  program
    .command('import-dataset')
    .description('register a local dataset folder as assets/datasets/<name> (a symlink to it, or a copy with --copy)')
    .argument('<name>', 'the dataset name under assets/datasets, e.g. fashion-mnist')
    .requiredOption('--from <dir>', 'the folder holding the files, e.g. ../shared/datasets/fashion-mnist')
    .option('--copy', 'copy the files instead of linking to the folder')
    .action((name: string, o: { from: string; copy?: boolean }) => {
      const r = importDataset({ name, from: o.from, copy: o.copy });
      console.log(`${r.dir} -> ${r.source} (${r.mode}, ${r.status}), ${r.files.length} file(s):`);
      for (const f of r.files) console.log(`  ${f}`);
    });
}
