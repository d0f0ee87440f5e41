// `tools split`: stratified index-based cross-validation of <data_dir>/raw into <data_dir>/splits.
import { createSplits } from '@research/common';
import type { Command } from 'commander';

interface SplitOptions {
  raw_data?: string;
  rawData?: string;
  folds: string;
  test_ratio?: string;
  testRatio?: string;
  seed: string;
  force?: boolean;
}

function parseNumber(text: string, flag: string, check: (n: number) => boolean, expected: string): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!check(n)) throw new Error(`${flag}: expected ${expected}, got '${text}'`);
  return n;
}

export function register(program: Command): void {
  program
    .command('split')
    .description(
      'stratified split of <data_dir>/raw/<class>/<image> into a shared test set and k folds (<data_dir>/splits)',
    )
    .option('--raw_data <dir>', 'the raw image folder, <data_dir>/raw')
    .option('--raw-data <dir>', 'alias of --raw_data')
    .option('--folds <k>', 'number of cross-validation folds', '5')
    .option('--test_ratio <r>', 'fraction of each class held out as the shared test set', '0.15')
    .option('--test-ratio <r>', 'alias of --test_ratio')
    .option('--seed <n>', 'seed of the shuffles', '42')
    .option('--force', 'replace an existing <data_dir>/splits')
    .action(async (o: SplitOptions) => {
      const raw = o.raw_data ?? o.rawData;
      if (raw === undefined) throw new Error('split: --raw_data <data_dir>/raw is required');
      const folds = parseNumber(o.folds, '--folds', (n) => Number.isInteger(n) && n >= 2, 'an integer >= 2');
      const testRatio = parseNumber(
        o.testRatio ?? o.test_ratio ?? '0.15',
        '--test_ratio',
        (n) => n >= 0 && n < 1,
        'a number in [0, 1)',
      );
      const seed = parseNumber(o.seed, '--seed', Number.isInteger, 'an integer');
      const summary = await createSplits(raw, { folds, testRatio, seed, force: o.force });
      for (const r of summary.rejected) console.warn(`left out ${r.file}: ${r.reason}`);
      if (summary.rejected.length > 0)
        console.warn(`${summary.rejected.length} file(s) left out (listed above and in split_info.json)`);
      const total = summary.classCounts.reduce((a, b) => a + b, 0);
      console.log(
        `${total} images in ${summary.classes.length} classes: test ${summary.test}, validation per fold ${summary.val.join(' / ')}`,
      );
      console.log(
        `wrote ${summary.splitsDir}: test.txt, fold_<k>_train.txt and fold_<k>_val.txt for k = 0..${folds - 1}`,
      );
    });
}
