// npx nx run gravity-vit:make-synthetic [-- --out <dir>] [--train N --validation N --test N] [--seed S] [--preview]
// Writes the synthetic Gravity Spy HDF5 + CSV (deterministic) into assets/datasets/gravity-spy-synthetic/.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { datasetsDir } from '@research/common';
import { SYNTHETIC_DIR_NAME } from '../build';
import { DEFAULT_PER_CLASS, writeSyntheticGravitySpy } from '../synthetic';
import { saveSyntheticPreview } from '../synthetic/preview';

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be an integer >= 0, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      train: { type: 'string' },
      validation: { type: 'string' },
      test: { type: 'string' },
      seed: { type: 'string' },
      preview: { type: 'boolean' },
    },
  });
  const dir = path.resolve(values.out ?? datasetsDir(SYNTHETIC_DIR_NAME));
  const perClass = {
    train: count(values.train, 'train', DEFAULT_PER_CLASS.train),
    validation: count(values.validation, 'validation', DEFAULT_PER_CLASS.validation),
    test: count(values.test, 'test', DEFAULT_PER_CLASS.test),
  };
  const started = Date.now();
  const result = await writeSyntheticGravitySpy({ dir, perClass, seed: count(values.seed, 'seed', 0) });
  console.log(
    `wrote ${result.samples} samples x 4 views to ${result.h5} and ${result.csv} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (values.preview) console.log(`preview: ${saveSyntheticPreview(path.join(dir, 'preview.png')).join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(`make-synthetic: ${(err as Error).message}`);
  process.exit(1);
});
