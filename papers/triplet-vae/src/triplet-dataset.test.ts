// The triplet sampler's invariants: positive of the anchor's class at another index, negative of another class,
// the same triplets and images for the same (seed, epoch).
import * as tf from '@tensorflow/tfjs';
import { createRng, ImageDataset } from '@research/common';
import { indicesByClass, sampleTriplets, TripletDataset } from './triplet-dataset';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function toyDataset(n = 60, classes = 4): ImageDataset {
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % classes);
  const images = Uint8Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256);
  return new ImageDataset(images, labels, [2, 2, 1], ['a', 'b', 'c', 'd'].slice(0, classes));
}

describe('sampleTriplets', () => {
  it('positives share the class at another index; negatives are of another class; all classes are drawn', () => {
    const ds = toyDataset();
    const anchors = Int32Array.from({ length: 600 }, (_, i) => i % ds.length);
    const t = sampleTriplets(ds.labels, anchors, indicesByClass(ds.labels, 4), createRng(3));
    const negClasses = new Set<number>();
    for (let k = 0; k < anchors.length; k++) {
      expect(ds.labels[t.positive[k]]).toBe(ds.labels[t.anchor[k]]);
      expect(t.positive[k]).not.toBe(t.anchor[k]);
      expect(ds.labels[t.negative[k]]).not.toBe(ds.labels[t.anchor[k]]);
      negClasses.add(ds.labels[t.negative[k]]);
    }
    expect(negClasses.size).toBe(4);
  });

  it('refuses a class with a single example and a single class', () => {
    const labels = Int32Array.from([0, 0, 1]);
    expect(() => sampleTriplets(labels, [0], indicesByClass(labels, 2), createRng(0))).toThrow(
      'class 1 has a single example',
    );
    const one = Int32Array.from([0, 0]);
    expect(() => sampleTriplets(one, [0], indicesByClass(one, 1), createRng(0))).toThrow('at least 2 classes');
  });
});

describe('TripletDataset', () => {
  it('is deterministic in (seed, epoch) and differs across epochs and seeds', () => {
    const ds = toyDataset();
    const a = new TripletDataset(ds, { batchSize: 8, seed: 5 });
    const b = new TripletDataset(ds, { batchSize: 8, seed: 5 });
    expect(a.triplets(2)).toEqual(b.triplets(2));
    expect(a.triplets(2).negative).not.toEqual(a.triplets(3).negative);
    expect(new TripletDataset(ds, { batchSize: 8, seed: 6 }).triplets(2).anchor).not.toEqual(a.triplets(2).anchor);
  });

  it('visits every example once per epoch by default; anchorsPerEpoch cycles through new permutations', () => {
    const ds = toyDataset();
    const once = new TripletDataset(ds, { batchSize: 8, seed: 1 }).triplets(0).anchor;
    expect([...once].sort((x, y) => x - y)).toEqual([...Array(ds.length).keys()]);
    const more = new TripletDataset(ds, { batchSize: 8, seed: 1, anchorsPerEpoch: 150 });
    expect(more.triplets(0).anchor.length).toBe(150);
    expect(more.batchesPerEpoch).toBe(19);
  });

  it('yields batches whose pixels and labels match the sampled indices, augmented the same way for the same seed', async () => {
    const ds = toyDataset();
    const source = new TripletDataset(ds, { batchSize: 16, seed: 2 });
    const t = source.triplets(0);
    const batches = [];
    for await (const batch of source.batches(0)) batches.push(batch);
    expect(batches.length).toBe(4);
    expect(batches[3].anchor.shape).toEqual([12, 2, 2, 1]);
    const first = batches[0];
    expect(Array.from(first.y.dataSync())).toEqual(Array.from(t.anchor.subarray(0, 16), (i) => ds.labels[i]));
    expect(Array.from(first.y_negative.dataSync())).toEqual(
      Array.from(t.negative.subarray(0, 16), (i) => ds.labels[i]),
    );
    const pos = first.positive.dataSync();
    const expected = Array.from(ds.image(t.positive[1]), (v) => v / 255);
    expect(Array.from(pos.subarray(4, 8))).toEqual(expected.map((v) => Math.fround(v)));
    batches.forEach((b) => tf.dispose(b));

    const shift = (images: tf.Tensor4D, rng: { next(): number }) => tf.add(images, rng.next()) as tf.Tensor4D;
    const augmented = () => new TripletDataset(ds, { batchSize: 16, seed: 2, transform: shift }).makeBatch(t, 0, 1);
    const [x, y] = [augmented(), augmented()];
    expect(Array.from(x.negative.dataSync())).toEqual(Array.from(y.negative.dataSync()));
    expect(x.anchor.dataSync()[0] - ds.image(t.anchor[16])[0] / 255).not.toBeCloseTo(
      x.negative.dataSync()[0] - ds.image(t.negative[16])[0] / 255,
      6,
    );
    tf.dispose([x, y]);
  });
});
