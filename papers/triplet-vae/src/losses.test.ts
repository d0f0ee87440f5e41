// Each loss term against values computed by hand on tiny inputs.
import * as tf from '@tensorflow/tfjs';
import { lossWeights, tripletTerm, tripletVaeLoss } from './losses';
import type { TripletVaeOutputs } from '@research/common';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const weights = { margin: 1, triplet_weight: 2, cls_weight: 3, rec_weight: 5, kl_weight: 7, classifier_weight: 0.5 };

describe('triplet term', () => {
  it('margin loss over [anchors; positives; negatives]', () => {
    // anchor 0: d(a,p) = 0, d(a,n) = 1 -> max(0 - 1 + 1, 0) = 0; anchor 1: d(a,p) = 1, d(a,n) = 0 -> 2. Mean 1.
    // (torch's eps = 1e-6 is added to each difference: the result moves by ~1e-6.)
    const emb = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
      [0, 1],
    ]);
    const value = tripletTerm(
      emb,
      tf.tensor1d([0, 1, 0, 1, 1, 0], 'int32'),
      { kind: 'triplets', count: 2 },
      1,
    ).dataSync()[0];
    expect(value).toBeCloseTo(1, 4);
  });

  it('batch-hard mining: hardest positive and negative per anchor', () => {
    // Points on a line: 0 (class 0), 1 (class 0), 3 (class 1), 6 (class 1); margin 1.
    // a=0: pos 1, neg 3 -> max(1-3+1,0)=0; a=1: pos 1, neg 2 -> 0; a=3: pos 3, neg 2 -> 2; a=6: pos 3, neg 5 -> 0. Mean 0.5.
    const emb = tf.tensor2d([[0], [1], [3], [6]]);
    expect(tripletTerm(emb, tf.tensor1d([0, 0, 1, 1], 'int32'), { kind: 'batch_hard' }, 1).dataSync()[0]).toBeCloseTo(
      0.5,
      4,
    );
  });

  it('refuses a batch that is not three equal parts', () => {
    expect(() =>
      tripletTerm(
        tf.zeros([5, 2]) as tf.Tensor2D,
        tf.zeros([5], 'int32') as tf.Tensor1D,
        { kind: 'triplets', count: 2 },
        1,
      ),
    ).toThrow('expected 3 x 2 embeddings');
  });
});

describe('multi-task and simple totals', () => {
  // Two images of one pixel each; logits give CE = ln 2 for both (equal logits); reconstruction errors 0.5 and 0.
  const outputs = (): TripletVaeOutputs => ({
    // [anchors; positives; negatives]: anchor 0 d(a,p)=0, d(a,n)=√2 -> max(0 - √2 + 1, 0) = 0; anchor 1 d(a,p)=√2,
    // d(a,n)=0 -> √2 + 1. The triplet term is (√2 + 1) / 2, so a wrong triplet_weight changes the total.
    embedding: tf.tensor2d([
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
      [1, 0],
    ]),
    logits: tf.tensor2d([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]),
    mu: tf.tensor2d([
      [1, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]),
    logvar: tf.zeros([6, 2]) as tf.Tensor2D,
    reconstruction: tf.tensor4d([0.5, 0, 0, 0, 0, 0], [6, 1, 1, 1]),
  });
  const images = tf.zeros([6, 1, 1, 1]) as tf.Tensor4D;
  const labels = tf.tensor1d([0, 0, 0, 0, 1, 1], 'int32');

  it('multi-task: w_triplet·triplet + w_cls·CE + w_rec·MSE + w_kl·KL', () => {
    const { loss, logs } = tripletVaeLoss(
      'multitask',
      outputs(),
      images,
      labels,
      { kind: 'triplets', count: 2 },
      weights,
    );
    const ce = Math.log(2);
    const rec = 0.25 / 6; // one squared error of 0.25 over 6 pixels
    const kl = 0.5 / 6; // example 0: -½(1 + 0 - 1 - 1) = ½; the others 0; mean over 6 examples
    const triplet = (Math.SQRT2 + 1) / 2;
    expect(logs.triplet.dataSync()[0]).toBeCloseTo(triplet, 4);
    expect(logs.cls.dataSync()[0]).toBeCloseTo(ce, 6);
    expect(logs.rec.dataSync()[0]).toBeCloseTo(rec, 6);
    expect(logs.kl.dataSync()[0]).toBeCloseTo(kl, 6);
    expect(loss.dataSync()[0]).toBeCloseTo(2 * triplet + 3 * ce + 5 * rec + 7 * kl, 4);
  });

  it('simple: triplet + classifier_weight·CE, without the VAE terms', () => {
    const { embedding, logits } = outputs();
    const { loss, logs } = tripletVaeLoss(
      'simple',
      { embedding, logits },
      images,
      labels,
      { kind: 'triplets', count: 2 },
      weights,
    );
    expect(Object.keys(logs).sort()).toEqual(['cls', 'triplet']);
    expect(loss.dataSync()[0]).toBeCloseTo((Math.SQRT2 + 1) / 2 + 0.5 * Math.log(2), 4);
    expect(lossWeights('simple', weights)).toEqual({ triplet: 1, cls: 0.5 });
  });
});
