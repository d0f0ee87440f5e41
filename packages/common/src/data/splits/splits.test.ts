import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SAMPLE_DIR, readIdxImageFolder } from '../datasets';
import { writeImageFolder } from '../image-export';
import { allocateProportionally, assignStratifiedFolds, createSplits, readIndexFile, splitIndexFiles } from '.';

const read = (file: string) => fs.readFileSync(file, 'utf8');

describe('assignStratifiedFolds', () => {
  // Unequal classes: 23, 17, 10 and 7 examples, interleaved.
  const labels = [...Array(23).fill(0), ...Array(17).fill(1), ...Array(10).fill(2), ...Array(7).fill(3)];

  it('shares the test set, partitions the pool into validation folds and stratifies within 1 of the ideal', () => {
    const { test, val } = assignStratifiedFolds(labels, { folds: 5, testRatio: 0.2, seed: 42 });
    expect(test.length).toBe(Math.round(0.2 * labels.length));
    const all = [...test, ...val.flat()].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i)); // every example exactly once
    const count = (indices: number[], c: number) => indices.filter((i) => labels[i] === c).length;
    for (let c = 0; c < 4; c++) {
      const n = count(
        labels.map((_, i) => i),
        c,
      );
      expect(Math.abs(count(test, c) - 0.2 * n)).toBeLessThanOrEqual(1);
      const pool = n - count(test, c);
      for (const v of val) expect(Math.abs(count(v, c) - pool / 5)).toBeLessThan(1);
    }
    const sizes = val.map((v) => v.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is a function of the seed', () => {
    const a = assignStratifiedFolds(labels, { folds: 3, testRatio: 0.15, seed: 1 });
    expect(assignStratifiedFolds(labels, { folds: 3, testRatio: 0.15, seed: 1 })).toEqual(a);
    expect(assignStratifiedFolds(labels, { folds: 3, testRatio: 0.15, seed: 2 })).not.toEqual(a);
  });

  it('refuses a class too small for the folds, naming it', () => {
    expect(() =>
      assignStratifiedFolds([0, 0, 0, 0, 0, 0, 1, 1, 1], {
        folds: 4,
        testRatio: 0,
        seed: 0,
        classNames: ['cat', 'dog'],
      }),
    ).toThrow("class 'dog' has 3 image(s) leaving 3 for 4 folds");
    expect(() =>
      assignStratifiedFolds([0, 0, 0], { folds: 2, testRatio: 0, seed: 0, classNames: ['cat', 'dog'] }),
    ).toThrow("class 'dog' has 0 image(s)");
    expect(() => assignStratifiedFolds([0, 0], { folds: 1, testRatio: 0, seed: 0 })).toThrow(
      'folds must be an integer >= 2',
    );
    expect(() => assignStratifiedFolds([0, 0], { folds: 2, testRatio: 1, seed: 0 })).toThrow(
      'test_ratio must be in [0, 1)',
    );
  });

  it('allocates by largest remainder', () => {
    expect(allocateProportionally([5, 3, 2], 3)).toEqual([1, 1, 1]); // exact 1.5, 0.9, 0.6: floors 1, 0, 0, then .9 and .6
    expect(allocateProportionally([1, 1, 1], 2)).toEqual([1, 1, 0]);
  });
});

describe('createSplits on a Fashion-MNIST image folder', () => {
  let tmp: string;
  let raw: string;
  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'splits-'));
    raw = path.join(tmp, 'fmnist', 'raw');
    const test = readIdxImageFolder(FASHION_MNIST_SAMPLE_DIR, 'test', FASHION_MNIST_CLASSES);
    await writeImageFolder(raw, [{ split: 'test', dataset: test }], {
      classNames: FASHION_MNIST_CLASSES,
      perClass: 12,
    });
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes test.txt and per-fold train/val lists with the invariants, sorted, relative to the data folder', async () => {
    const dataDir = path.dirname(raw);
    const summary = await createSplits(raw, { folds: 5, testRatio: 0.15, seed: 42 });
    expect(summary.test).toBe(18);
    expect(summary.classCounts).toEqual(new Array(10).fill(12));
    const everything = fs
      .readdirSync(raw)
      .flatMap((c) => fs.readdirSync(path.join(raw, c)).map((f) => `raw/${c}/${f}`))
      .sort();
    const test = readIndexFile(splitIndexFiles(dataDir, 0).test, dataDir);
    expect(test).toEqual([...test].sort());
    const pool = everything.filter((f) => !test.includes(f));
    const vals: string[] = [];
    for (let k = 0; k < 5; k++) {
      const files = splitIndexFiles(dataDir, k);
      const train = readIndexFile(files.train, dataDir);
      const val = readIndexFile(files.val, dataDir);
      expect(train.filter((f) => val.includes(f))).toEqual([]);
      expect([...train, ...val].sort()).toEqual(pool);
      expect(val).toEqual([...val].sort());
      vals.push(...val);
      // 12 per class: 1 or 2 in the test set, the remaining 10 or 11 spread 2 or 3 per fold.
      for (const c of fs.readdirSync(raw))
        expect(val.filter((f) => f.startsWith(`raw/${c}/`)).length).toBeGreaterThanOrEqual(2);
    }
    expect(vals.sort()).toEqual(pool);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['raw', 'splits']);
    expect(JSON.parse(read(path.join(dataDir, 'splits', 'split_info.json'))).seed).toBe(42);

    // Same seed -> identical files; another seed -> different; an existing folder needs force.
    const before = read(splitIndexFiles(dataDir, 2).val);
    await expect(createSplits(raw, { folds: 5, testRatio: 0.15, seed: 42 })).rejects.toThrow(
      /already exists; pass --force/,
    );
    await createSplits(raw, { folds: 5, testRatio: 0.15, seed: 42, force: true });
    expect(read(splitIndexFiles(dataDir, 2).val)).toBe(before);
    await createSplits(raw, { folds: 5, testRatio: 0.15, seed: 7, force: true });
    expect(read(splitIndexFiles(dataDir, 2).val)).not.toBe(before);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['raw', 'splits']);
  });

  it('lists empty, undecodable and unreadable files, leaves them out, and keeps the rest', async () => {
    fs.writeFileSync(path.join(raw, 'Bag', 'empty.png'), '');
    fs.writeFileSync(path.join(raw, 'Bag', 'garbage.jpg'), 'not an image at all');
    const good = fs.readFileSync(path.join(raw, 'Coat', fs.readdirSync(path.join(raw, 'Coat'))[0]));
    fs.writeFileSync(path.join(raw, 'Coat', 'truncated.png'), good.subarray(0, good.length - 30));
    fs.symlinkSync(path.join(tmp, 'missing.png'), path.join(raw, 'Coat', 'dangling.png'));
    fs.writeFileSync(path.join(raw, 'Coat', 'notes.txt'), 'not listed: not an image extension');
    const summary = await createSplits(raw, { folds: 5, testRatio: 0.15, seed: 0 });
    expect(summary.rejected.map((r) => r.file)).toEqual([
      'raw/Bag/empty.png',
      'raw/Bag/garbage.jpg',
      'raw/Coat/dangling.png',
      'raw/Coat/truncated.png',
    ]);
    expect(summary.rejected[0].reason).toBe('empty file');
    expect(summary.rejected[1].reason).toMatch(/^cannot be decoded/);
    expect(summary.rejected[2].reason).toMatch(/^unreadable \(ENOENT\)/);
    expect(summary.rejected[3].reason).toMatch(/^cannot be decoded/);
    const dataDir = path.dirname(raw);
    const listed = [
      read(splitIndexFiles(dataDir, 0).test),
      read(splitIndexFiles(dataDir, 0).train),
      read(splitIndexFiles(dataDir, 0).val),
    ].join('');
    expect(listed.split('\n').filter(Boolean)).toHaveLength(120);
    expect(listed).not.toMatch(/empty|garbage|truncated|dangling|notes/);
  });

  it('fails clearly on no class folder, a missing folder, or a class smaller than the folds, writing nothing', async () => {
    const empty = path.join(tmp, 'empty', 'raw');
    fs.mkdirSync(empty, { recursive: true });
    await expect(createSplits(empty, { folds: 5, testRatio: 0.15, seed: 0 })).rejects.toThrow(
      /found no class folder in .*empty\/raw/,
    );
    await expect(createSplits(path.join(tmp, 'nope', 'raw'), { folds: 5, testRatio: 0.15, seed: 0 })).rejects.toThrow(
      /is not a directory/,
    );
    await expect(createSplits(path.join(tmp, 'fmnist'), { folds: 5, testRatio: 0.15, seed: 0 })).rejects.toThrow(
      /fmnist: expected the raw folder of a data folder, <data_dir>\/raw/,
    );
    const small = path.join(tmp, 'fmnist', 'raw', 'Bag');
    for (const f of fs.readdirSync(small).slice(4)) fs.rmSync(path.join(small, f));
    await expect(createSplits(raw, { folds: 5, testRatio: 0, seed: 0 })).rejects.toThrow(
      "class 'Bag' has 4 image(s) leaving 4 for 5 folds",
    );
    expect(fs.readdirSync(path.dirname(raw))).toEqual(['raw']);
  });

  it('reads index files strictly', () => {
    const file = path.join(tmp, 'list.txt');
    fs.writeFileSync(file, 'raw/a/1.png\n\n../outside.png\n');
    expect(() => readIndexFile(file, tmp)).toThrow(
      `${file}: line 3: '../outside.png' is not a path inside the data folder`,
    );
    fs.writeFileSync(file, '\n');
    expect(() => readIndexFile(file, tmp)).toThrow('the index file lists no image');
    expect(() => readIndexFile(path.join(tmp, 'none.txt'), tmp)).toThrow(/cannot read index file .*none\.txt: ENOENT/);
  });
});
