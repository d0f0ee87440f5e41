// Writes the synthetic Gravity Spy set: an HDF5 file in the real layout (/<label>/<sample_type>/<id>/<duration>.png,
// uint8 (1, 140, 170) views) and the metadata CSV, deterministically from a seed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRng, mixSeeds, writeFileAtomic } from '@research/common';
import {
  GRAVITY_SPY_CLASSES,
  type GravitySpyClass,
  DURATIONS,
  SPLITS,
  type Split,
  VIEW_HEIGHT,
  VIEW_WIDTH,
  loadH5wasm,
  viewName,
} from '../data';
import { GLITCHES } from './glitches';
import { amplitudeOfSnr, renderViews } from './render';

export const SYNTHETIC_H5 = 'trainingset_synthetic.h5';
export const SYNTHETIC_CSV = 'trainingset_synthetic_metadata.csv';

export interface SyntheticOptions {
  dir: string;
  /** Samples per class in each split. */
  perClass?: Record<Split, number>;
  seed?: number;
  /** Only these classes (default all 22); a class keeps its index-derived seeds either way. */
  classes?: readonly GravitySpyClass[];
}

export interface SyntheticResult {
  h5: string;
  csv: string;
  samples: number;
}

export const DEFAULT_PER_CLASS: Record<Split, number> = { train: 40, validation: 10, test: 10 };

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** SNR of a glitch: log-uniform from 7.5 (the catalogue's threshold) to 150; Extremely_Loud far above. */
function drawSnr(label: string, u: number): number {
  return label === 'Extremely_Loud' ? 500 * 2 ** (3 * u) : 7.5 * 20 ** u;
}

/** Writes `<dir>/trainingset_synthetic.h5` and its CSV (each to a temp name, then renamed). */
export async function writeSyntheticGravitySpy(opts: SyntheticOptions): Promise<SyntheticResult> {
  const perClass = opts.perClass ?? DEFAULT_PER_CLASS;
  const seed = opts.seed ?? 0;
  const h5wasm = await loadH5wasm();
  fs.mkdirSync(opts.dir, { recursive: true });
  const h5Path = path.join(opts.dir, SYNTHETIC_H5);
  const tmp = `${h5Path}.tmp-${process.pid}`;
  const rows = ['gravityspy_id,label,sample_type,ifo,snr'];
  const file = new h5wasm.File(tmp, 'w');
  let samples = 0;
  try {
    GRAVITY_SPY_CLASSES.forEach((label, c) => {
      if (opts.classes && !opts.classes.includes(label)) return;
      file.create_group(label);
      SPLITS.forEach((split, s) => {
        file.create_group(`${label}/${split}`);
        for (let i = 0; i < perClass[split]; i++) {
          const rng = createRng(mixSeeds(seed, c, s, i));
          const id = Array.from({ length: 10 }, () => ID_CHARS[rng.int(ID_CHARS.length)]).join('');
          const snr = drawSnr(label, rng.next());
          const views = renderViews(GLITCHES[label](rng), amplitudeOfSnr(snr), rng);
          const group = file.create_group(`${label}/${split}/${id}`);
          DURATIONS.forEach((d, v) => {
            group.create_dataset({
              name: viewName(d),
              data: views[v],
              shape: [1, VIEW_HEIGHT, VIEW_WIDTH],
              dtype: '<B',
              chunks: [1, VIEW_HEIGHT, VIEW_WIDTH],
              compression: 'gzip',
              compression_opts: 4,
            });
          });
          rows.push([id, label, split, rng.next() < 0.5 ? 'H1' : 'L1', snr.toFixed(3)].join(','));
          samples++;
        }
      });
    });
  } finally {
    file.close();
  }
  fs.renameSync(tmp, h5Path);
  const csvPath = path.join(opts.dir, SYNTHETIC_CSV);
  writeFileAtomic(csvPath, rows.join('\n') + '\n');
  return { h5: h5Path, csv: csvPath, samples };
}
