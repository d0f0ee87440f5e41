import * as tf from '@tensorflow/tfjs';
import { ImageDataset } from './image-dataset';
import { DataLoader } from './loader';
import { composeTransforms, randomAffine, randomHorizontalFlip } from './transforms';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// 10 images of 2x2x1; image i has all pixels equal to 10 * i and label i % 3.
const n = 10;
const dataset = new ImageDataset(
  Uint8Array.from({ length: n * 4 }, (_, p) => 10 * Math.floor(p / 4)),
  Int32Array.from({ length: n }, (_, i) => i % 3),
  [2, 2, 1],
);

async function collect(
  loader: DataLoader,
  epoch: number,
): Promise<{ x: number[][]; y: number[][]; shapes: number[][] }> {
  const out = { x: [] as number[][], y: [] as number[][], shapes: [] as number[][] };
  for await (const batch of loader.batches(epoch)) {
    out.x.push(Array.from(batch.x.dataSync()));
    out.y.push(Array.from(batch.y.dataSync()));
    out.shapes.push(batch.x.shape);
    expect(batch.y.dtype).toBe('int32');
    tf.dispose(batch);
  }
  return out;
}

describe('DataLoader', () => {
  it('visits every example once per epoch, scaled to [0, 1], in an order set by (seed, epoch)', async () => {
    const loader = new DataLoader(dataset, { batchSize: 4, seed: 3 });
    expect(loader.batchesPerEpoch).toBe(3);
    expect(loader.size).toBe(10);
    const epoch0 = await collect(loader, 0);
    expect(epoch0.shapes).toEqual([
      [4, 2, 2, 1],
      [4, 2, 2, 1],
      [2, 2, 2, 1],
    ]);
    const order = Array.from(loader.order(0));
    expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch0.y.flat()).toEqual(order.map((i) => i % 3));
    expect(epoch0.x.flat()).toEqual(order.flatMap((i) => new Array(4).fill((10 * i) / 255)).map(Math.fround));

    expect(Array.from(loader.order(1))).not.toEqual(order);
    expect(Array.from(new DataLoader(dataset, { batchSize: 4, seed: 3 }).order(0))).toEqual(order);
    expect(Array.from(new DataLoader(dataset, { batchSize: 4, seed: 4 }).order(0))).not.toEqual(order);
  });

  it('drops the last partial batch when asked, and keeps the dataset order without shuffle', async () => {
    const loader = new DataLoader(dataset, { batchSize: 4, dropLast: true, shuffle: false });
    expect(loader.batchesPerEpoch).toBe(2);
    expect((await collect(loader, 0)).y).toEqual([
      [0, 1, 2, 0],
      [1, 2, 0, 1],
    ]);
  });

  it('samplesPerEpoch: each epoch visits that many distinct examples, a fresh seeded draw from the whole dataset', async () => {
    const loader = new DataLoader(dataset, { batchSize: 2, seed: 5, samplesPerEpoch: 3 });
    expect(loader.batchesPerEpoch).toBe(2);
    const seen = new Set<number>();
    for (let epoch = 0; epoch < 6; epoch++) {
      const order = Array.from(loader.order(epoch));
      expect(order).toHaveLength(3);
      expect(new Set(order).size).toBe(3);
      // Each epoch's examples are the head of that epoch's full permutation.
      expect(order).toEqual(Array.from(new DataLoader(dataset, { batchSize: 2, seed: 5 }).order(epoch)).slice(0, 3));
      order.forEach((i) => seen.add(i));
    }
    expect(seen.size).toBeGreaterThan(3);
    const epoch1 = await collect(loader, 1);
    expect(epoch1.y.flat()).toEqual(Array.from(loader.order(1), (i) => i % 3));
    expect(new DataLoader(dataset, { batchSize: 4, samplesPerEpoch: 50 }).batchesPerEpoch).toBe(3); // capped at the dataset
    expect(Array.from(new DataLoader(dataset, { batchSize: 4, samplesPerEpoch: 2, shuffle: false }).order(3))).toEqual([
      0, 1,
    ]);
    expect(() => new DataLoader(dataset, { batchSize: 4, samplesPerEpoch: 0 })).toThrow(
      'samplesPerEpoch must be a positive integer, got 0',
    );
  });

  it('augments the same way whatever the prefetch depth, and differently per epoch', async () => {
    const transform = composeTransforms(randomHorizontalFlip(), randomAffine({ degrees: 30, translate: [0.2, 0.2] }));
    const run = (prefetch: number, epoch: number) =>
      collect(new DataLoader(dataset, { batchSize: 3, seed: 1, transform, prefetch }), epoch);
    const a = await run(0, 2);
    expect(await run(3, 2)).toEqual(a);
    expect((await run(1, 3)).x).not.toEqual(a.x);
  });

  it('prepares the next batches while the consumer holds the current one', async () => {
    const loader = new DataLoader(dataset, { batchSize: 2, prefetch: 2 });
    const made = jest.spyOn(loader, 'makeBatch');
    const iterator = loader.batches(0)[Symbol.asyncIterator]();
    const first = await iterator.next();
    await new Promise((resolve) => setImmediate(resolve)); // the consumer awaits something, as a training step does
    expect(made.mock.calls.map((call) => call[2])).toEqual([0, 1, 2]);
    tf.dispose(first.value);
    await iterator.return?.(undefined);
  });

  it('disposes prefetched batches when the consumer stops early', async () => {
    const loader = new DataLoader(dataset, { batchSize: 2, prefetch: 3 });
    const before = tf.memory().numTensors;
    for await (const batch of loader.batches(0)) {
      tf.dispose(batch);
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad batch size', () => {
    expect(() => new DataLoader(dataset, { batchSize: 0 })).toThrow('batchSize must be a positive integer, got 0');
  });
});
