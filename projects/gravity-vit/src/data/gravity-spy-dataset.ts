// A Gravity Spy HDF5 file opened lazily: the group structure is scanned once, pixels are read one view at a time
// when a batch needs them (never the whole file in memory).
import * as fs from 'node:fs';
import { cachedClassWeights } from './class-weights';
import { DURATIONS, type Duration, GRAVITY_SPY_CLASSES, SPLITS, type Split, VIEW_HEIGHT, VIEW_WIDTH } from './classes';
import { type FileScan, type LayoutProblem, type SampleEntry, readView, scanGravitySpyFile } from './gravity-spy-file';
import { type H5File, loadH5wasm } from './h5wasm-loader';

/** Height and width of the merged view: 0.5 s over 1.0 s beside 2.0 s over 4.0 s. */
export const MERGED_HEIGHT = 2 * VIEW_HEIGHT;
export const MERGED_WIDTH = 2 * VIEW_WIDTH;

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5's superblock signature sits at byte 0, 512, 1024, 2048, ... (after an optional user block). */
function hasHdf5Signature(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      fs.readSync(fd, buf, 0, 8, offset);
      if (buf.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

export class GravitySpyDataset {
  readonly samples: readonly SampleEntry[];
  readonly problems: readonly LayoutProblem[];
  /** The stored shape of a view, e.g. [1, 140, 170] (undefined when no sample is well-formed). */
  readonly viewShape?: readonly number[];

  private constructor(
    readonly file: string,
    private readonly h5: H5File,
    scan: FileScan,
  ) {
    this.samples = scan.samples;
    this.problems = scan.problems;
    this.viewShape = scan.viewShape;
  }

  /** Opens `file` read-only and scans its layout (malformed entries are skipped and listed in `problems`). */
  static async open(file: string): Promise<GravitySpyDataset> {
    const h5wasm = await loadH5wasm();
    if (!fs.existsSync(file)) throw new Error(`GravitySpyDataset: ${file} does not exist`);
    if (!hasHdf5Signature(file))
      throw new Error(
        `GravitySpyDataset: cannot open ${file} as HDF5: no HDF5 signature (a partial download or another format?)`,
      );
    let h5: H5File;
    try {
      h5 = new h5wasm.File(file, 'r');
    } catch (err) {
      throw new Error(`GravitySpyDataset: cannot open ${file} as HDF5: ${(err as Error).message}`, { cause: err });
    }
    return new GravitySpyDataset(file, h5, scanGravitySpyFile(h5));
  }

  /** The samples of one split, sorted by (class, id). */
  split(split: Split): SampleEntry[] {
    return this.samples.filter((s) => s.split === split);
  }

  /** Samples per class (in GRAVITY_SPY_CLASSES order) of one split. */
  classCounts(split: Split): number[] {
    const counts = new Array<number>(GRAVITY_SPY_CLASSES.length).fill(0);
    for (const s of this.samples) if (s.split === split) counts[s.classIndex]++;
    return counts;
  }

  /** {split: {class: count}} with only the classes present. */
  summary(): Record<Split, Record<string, number>> {
    const out = {} as Record<Split, Record<string, number>>;
    for (const split of SPLITS) {
      out[split] = {};
      this.classCounts(split).forEach((c, i) => {
        if (c > 0) out[split][GRAVITY_SPY_CLASSES[i]] = c;
      });
    }
    return out;
  }

  /** Balanced class weights of the training split, cached beside the file. */
  classWeights(split: Split = 'train'): number[] {
    return cachedClassWeights(this.file, split, () => this.classCounts(split)).weights;
  }

  /** One view, float32 [140 * 170] in [0, 1], row-major. */
  view(entry: SampleEntry, duration: Duration): Float32Array {
    return readView(this.h5, entry, duration);
  }

  /** The four views of a sample concatenated, float32 [4 * 140 * 170] in DURATIONS order. */
  views(entry: SampleEntry): Float32Array {
    const size = VIEW_HEIGHT * VIEW_WIDTH;
    const out = new Float32Array(DURATIONS.length * size);
    DURATIONS.forEach((d, v) => out.set(this.view(entry, d), v * size));
    return out;
  }

  /** The merged view, float32 [280 * 340]: 0.5 s top-left, 1.0 s bottom-left, 2.0 s top-right, 4.0 s bottom-right. */
  merged(entry: SampleEntry): Float32Array {
    const out = new Float32Array(MERGED_HEIGHT * MERGED_WIDTH);
    const place: Record<Duration, [number, number]> = { '0.5': [0, 0], '1.0': [1, 0], '2.0': [0, 1], '4.0': [1, 1] };
    for (const d of DURATIONS) {
      const view = this.view(entry, d);
      const [row, col] = place[d];
      for (let y = 0; y < VIEW_HEIGHT; y++) {
        const dst = (row * VIEW_HEIGHT + y) * MERGED_WIDTH + col * VIEW_WIDTH;
        out.set(view.subarray(y * VIEW_WIDTH, (y + 1) * VIEW_WIDTH), dst);
      }
    }
    return out;
  }

  close(): void {
    this.h5.close();
  }
}
