// Writes and reads the index files of <data_dir>/splits: test.txt, fold_<k>_train.txt, fold_<k>_val.txt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRawImages, type RejectedImage } from './scan-raw';
import { assignStratifiedFolds } from './stratified-folds';

export interface SplitIndexFiles {
  train: string;
  val: string;
  test: string;
}

/** The index files of fold `fold` under `<dataDir>/splits`. */
export function splitIndexFiles(dataDir: string, fold: number): SplitIndexFiles {
  const dir = path.join(dataDir, 'splits');
  return {
    train: path.join(dir, `fold_${fold}_train.txt`),
    val: path.join(dir, `fold_${fold}_val.txt`),
    test: path.join(dir, 'test.txt'),
  };
}

export interface CreateSplitsOptions {
  folds: number;
  testRatio: number;
  seed: number;
  /** Replace an existing `<data_dir>/splits` folder (default: refuse). */
  force?: boolean;
}

export interface SplitsSummary {
  dataDir: string;
  splitsDir: string;
  classes: string[];
  /** Images per class (usable ones). */
  classCounts: number[];
  test: number;
  /** Validation size of each fold. */
  val: number[];
  rejected: RejectedImage[];
}

function writeList(file: string, lines: readonly string[]): void {
  fs.writeFileSync(file, lines.length ? `${lines.join('\n')}\n` : '');
}

/**
 * Scans `<data_dir>/raw`, assigns the stratified test set and folds (see `assignStratifiedFolds`) and writes every
 * index file, each sorted by path, one `raw/<class>/<image>` a line, plus `split_info.json` (options, classes,
 * counts, rejected files). The files are written into `splits.tmp-<pid>` and that folder renamed to `splits`, so a
 * failure leaves no half-written splits folder.
 */
export async function createSplits(rawDir: string, opts: CreateSplitsOptions): Promise<SplitsSummary> {
  if (path.basename(path.resolve(rawDir)) !== 'raw') {
    throw new Error(
      `${rawDir}: expected the raw folder of a data folder, <data_dir>/raw (index files hold raw/<class>/<image>)`,
    );
  }
  const scan = await scanRawImages(rawDir);
  const { folds, testRatio, seed } = opts;
  const assignment = assignStratifiedFolds(scan.labels, { folds, testRatio, seed, classNames: scan.classes });
  const splitsDir = path.join(scan.dataDir, 'splits');
  if (fs.existsSync(splitsDir) && !opts.force) {
    throw new Error(`${splitsDir} already exists; pass --force to replace it`);
  }
  const names = (indices: readonly number[]) => indices.map((i) => scan.files[i]).sort();
  const isTest = new Uint8Array(scan.files.length);
  for (const i of assignment.test) isTest[i] = 1;
  const classCounts = scan.classes.map(() => 0);
  for (const label of scan.labels) classCounts[label]++;

  const tmp = path.join(scan.dataDir, `splits.tmp-${process.pid}`);
  const old = path.join(scan.dataDir, `splits.old-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    fs.mkdirSync(tmp);
    writeList(path.join(tmp, 'test.txt'), names(assignment.test));
    assignment.val.forEach((val, k) => {
      const inVal = new Set(val);
      const train = scan.files.map((_, i) => i).filter((i) => !isTest[i] && !inVal.has(i));
      writeList(path.join(tmp, `fold_${k}_train.txt`), names(train));
      writeList(path.join(tmp, `fold_${k}_val.txt`), names(val));
    });
    const info = {
      folds,
      test_ratio: testRatio,
      seed,
      classes: scan.classes,
      class_counts: classCounts,
      test: assignment.test.length,
      val: assignment.val.map((v) => v.length),
      rejected: scan.rejected,
    };
    fs.writeFileSync(path.join(tmp, 'split_info.json'), `${JSON.stringify(info, null, 2)}\n`);
    if (fs.existsSync(splitsDir)) fs.renameSync(splitsDir, old);
    fs.renameSync(tmp, splitsDir);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(old) && !fs.existsSync(splitsDir)) fs.renameSync(old, splitsDir);
    throw err;
  }
  return {
    dataDir: scan.dataDir,
    splitsDir,
    classes: scan.classes,
    classCounts,
    test: assignment.test.length,
    val: assignment.val.map((v) => v.length),
    rejected: scan.rejected,
  };
}

/**
 * Reads an index file: one path a line relative to `dataDir` (blank lines ignored). Throws, naming the file and
 * line, for a path that is absolute or leaves `dataDir`; the images themselves are checked when decoded.
 */
export function readIndexFile(file: string, dataDir: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read index file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` +
        ' (create the splits with `tools split --raw_data <data_dir>/raw`)',
      { cause: err },
    );
  }
  const root = path.resolve(dataDir);
  const entries: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const entry = line.trim();
    if (entry === '') return;
    const resolved = path.resolve(root, entry);
    if (path.isAbsolute(entry) || !resolved.startsWith(root + path.sep)) {
      throw new Error(`${file}: line ${i + 1}: '${entry}' is not a path inside the data folder ${root}`);
    }
    entries.push(entry);
  });
  if (entries.length === 0) throw new Error(`${file}: the index file lists no image`);
  return entries;
}
