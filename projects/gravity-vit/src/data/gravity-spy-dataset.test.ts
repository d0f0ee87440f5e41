import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { GravitySpyDataset, GravitySpySource, MERGED_HEIGHT, MERGED_WIDTH, classWeightsCachePath } from '.';

const FIXTURE_DIR = path.join(__dirname, '__fixtures__');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'gravity-spy-tiny.json'), 'utf8')) as {
  samples: { label: string; split: string; id: string; dtype: string; seed: number }[];
  malformed: string[];
};

/** The fixture's pixel formula (scripts/make_h5py_fixture.py). */
function pixel(seed: number, v: number, y: number, x: number): number {
  return ((Math.floor(y / 20) * 3 + Math.floor(x / 10) * 7 + 17 * v + 13 * seed) % 256) / 255;
}

let dir: string;
let ds: GravitySpyDataset;

beforeAll(async () => {
  // A copy, so the class-weight cache is written beside it and not into the repository.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gravity-spy-'));
  fs.copyFileSync(path.join(FIXTURE_DIR, 'gravity-spy-tiny.h5'), path.join(dir, 'tiny.h5'));
  ds = await GravitySpyDataset.open(path.join(dir, 'tiny.h5'));
});

afterAll(() => {
  ds.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GravitySpyDataset on the h5py-written fixture', () => {
  it('finds every well-formed sample with its class and split, and lists the malformed entries', () => {
    const found = ds.samples.map((s) => `${s.label}/${s.split}/${s.id}`).sort();
    expect(found).toEqual(expected.samples.map((s) => `${s.label}/${s.split}/${s.id}`).sort());
    expect(ds.problems.map((p) => p.path).sort()).toEqual([...expected.malformed].sort());
    expect(ds.problems.map((p) => p.kind).sort()).toEqual(['missing_view', 'unknown_class', 'wrong_shape']);
    expect(ds.summary()).toEqual({
      train: { Blip: 2, Power_Line: 1, Whistle: 2 },
      validation: { Blip: 1, Power_Line: 1 },
      test: { Blip: 1, Whistle: 1 },
    });
    expect(ds.split('train').map((s) => s.classIndex)).toEqual([3, 3, 14, 21, 21]);
  });

  it('reads float32, float64 and uint8 views into [0, 1] with the written pixels', () => {
    for (const s of expected.samples) {
      const entry = ds.samples.find((e) => e.id === s.id)!;
      expect(entry.uint8).toBe(s.dtype === 'uint8');
      const views = ds.views(entry);
      for (const [v, y, x] of [
        [0, 0, 0],
        [1, 139, 169],
        [2, 57, 93],
        [3, 20, 10],
      ]) {
        expect(views[v * 140 * 170 + y * 170 + x]).toBeCloseTo(pixel(s.seed, v, y, x), 6);
      }
    }
  });

  it('merges 0.5 over 1.0 beside 2.0 over 4.0 into 280x340', () => {
    const entry = ds.samples.find((e) => e.id === 'whistle_f32_a')!;
    const merged = ds.merged(entry);
    expect(merged.length).toBe(MERGED_HEIGHT * MERGED_WIDTH);
    const at = (y: number, x: number) => merged[y * 340 + x];
    expect(at(5, 7)).toBeCloseTo(pixel(5, 0, 5, 7), 6); // 0.5 s, top-left
    expect(at(140 + 5, 7)).toBeCloseTo(pixel(5, 1, 5, 7), 6); // 1.0 s, bottom-left
    expect(at(5, 170 + 7)).toBeCloseTo(pixel(5, 2, 5, 7), 6); // 2.0 s, top-right
    expect(at(279, 339)).toBeCloseTo(pixel(5, 3, 139, 169), 6); // 4.0 s, bottom-right
  });

  it('computes balanced class weights summing to n_classes and caches them beside the file', () => {
    const w = ds.classWeights('train');
    expect(w.length).toBe(22);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(22, 10);
    // counts Blip 2, Power_Line 1, Whistle 2: raw 5/(22*2), 5/22, 5/(22*2) -> ratio 1 : 2 : 1, scaled to sum 22.
    expect(w[3]).toBeCloseTo(5.5, 10);
    expect(w[14]).toBeCloseTo(11, 10);
    expect(w[21]).toBeCloseTo(5.5, 10);
    expect(w[0]).toBe(0);
    const cache = JSON.parse(fs.readFileSync(classWeightsCachePath(ds.file), 'utf8'));
    expect(cache.counts[14]).toBe(1);
    // A second call reads the cache: change the cached weights and see them come back.
    fs.writeFileSync(classWeightsCachePath(ds.file), JSON.stringify({ ...cache, weights: cache.weights.map(() => 1) }));
    expect(ds.classWeights('train')[14]).toBe(1);
  });
});

describe('GravitySpySource', () => {
  it('yields multi-view batches [B, 4, H, W, 3] resized bilinearly, and labels', async () => {
    const source = new GravitySpySource(ds, {
      split: 'train',
      mode: 'multi_view',
      inputSize: [70, 85],
      channels: 3,
      batchSize: 2,
      shuffle: false,
    });
    expect(source.batchesPerEpoch).toBe(3);
    const before = tf.memory().numTensors;
    const labels: number[] = [];
    for await (const batch of source.batches(0)) {
      expect(batch.x.shape.slice(1)).toEqual([4, 70, 85, 3]);
      labels.push(...(await batch.y.data()));
      // 2x downscale with half-pixel centres averages each 2x2 block: blocks of 10 columns keep their value.
      const x = (await batch.x.data()) as Float32Array;
      const seed = ds.split('train')[labels.length - batch.y.shape[0]].id === 'blip_f32_a' ? 1 : undefined;
      if (seed !== undefined) expect(x[(2 * 70 * 85 + 0) * 3 + 1]).toBeCloseTo(pixel(seed, 2, 0, 0), 6);
      tf.dispose(batch);
    }
    expect(labels).toEqual([3, 3, 14, 21, 21]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('single view and merged view shapes; shuffling is a seeded permutation per epoch', async () => {
    const single = new GravitySpySource(ds, {
      split: 'train',
      mode: 'single_view',
      duration: '2.0',
      inputSize: [140, 170],
      channels: 1,
      batchSize: 5,
      seed: 3,
    });
    const [batch] = await collect(single, 0);
    expect(batch.x.shape).toEqual([5, 140, 170, 1]);
    const x = (await batch.x.data()) as Float32Array;
    const ys = Array.from(await batch.y.data());
    expect(ys.slice().sort((a, b) => a - b)).toEqual([3, 3, 14, 21, 21]);
    const firstId = single.entries[single.order(0)[0]];
    expect(x[57 * 170 + 93]).toBeCloseTo(pixel(expected.samples.find((s) => s.id === firstId.id)!.seed, 2, 57, 93), 6);
    expect(Array.from(single.order(1))).not.toEqual(Array.from(single.order(0)));
    tf.dispose(batch);
    const merged = new GravitySpySource(ds, {
      split: 'test',
      mode: 'merged',
      inputSize: [140, 170],
      channels: 1,
      batchSize: 4,
    });
    const [m] = await collect(merged, 0);
    expect(m.x.shape).toEqual([2, 140, 170, 1]);
    tf.dispose(m);
    expect(
      () =>
        new GravitySpySource(ds, { split: 'train', mode: 'single_view', inputSize: [1, 1], channels: 1, batchSize: 1 }),
    ).toThrow(/duration/);
  });
});

async function collect(source: GravitySpySource, epoch: number) {
  const out = [];
  for await (const b of source.batches(epoch)) out.push(b);
  return out;
}
