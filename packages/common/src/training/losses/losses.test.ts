import * as tf from '@tensorflow/tfjs';
import golden from '../golden/losses.json';
import {
  batchHardTripletLoss,
  bceFromProbs,
  bceWithLogits,
  crossEntropy,
  focalLoss,
  gaussianKlDivergence,
  mseLoss,
  tripletMarginLoss,
  weightedLossSum,
} from '.';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Opts = Record<string, unknown>;
type LossFn = (inputs: tf.Tensor[], o: Opts) => tf.Tensor;

const LOSSES: Record<string, LossFn> = {
  crossEntropy: ([x, y], o) => crossEntropy(x, y, o),
  focal: ([x, y], o) => focalLoss(x, y, o),
  tripletMargin: ([a, p, n], o) => tripletMarginLoss(a, p, n, o),
  batchHardTriplet: ([e, y], o) => batchHardTripletLoss(e, y, o),
  gaussianKl: ([mu, logvar], o) => gaussianKlDivergence(mu, logvar, o),
  gaussianKlLogvar: ([logvar, mu], o) => gaussianKlDivergence(mu, logvar, o),
  mse: ([x, t], o) => mseLoss(x, t, o),
  bceWithLogits: ([x, t], o) => bceWithLogits(x, t, o),
  bce: ([x, t], o) => bceFromProbs(x, t, o),
};

const INT_INPUTS = new Set(['crossEntropy:1', 'focal:1', 'batchHardTriplet:1']);

function flat(v: unknown): number[] {
  return [v].flat(3) as number[];
}

function expectClose(actual: ArrayLike<number>, expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  Array.from(actual).forEach((a, i) =>
    expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]))),
  );
}

describe('losses equal torch.nn.functional (values and input gradients)', () => {
  golden.cases.forEach((c, k) => {
    it(`${k}: ${c.name} ${JSON.stringify(c.options)}`, () => {
      const inputs = c.inputs.map((v, i) =>
        INT_INPUTS.has(`${c.name}:${i}`) ? tf.tensor(v as number[], undefined, 'int32') : tf.tensor(v as number[]),
      );
      const fn = LOSSES[c.name];
      const value = fn(inputs, c.options);
      expectClose(value.dataSync(), flat(c.value), 1e-5);
      if ('grad' in c) {
        const grad = tf.grad((x: tf.Tensor) => fn([x, ...inputs.slice(1)], c.options).sum())(inputs[0]);
        expectClose(grad.dataSync(), flat(c.grad), 1e-4);
        grad.dispose();
      }
      tf.dispose([value, ...inputs]);
    });
  });

  it('leaves no tensors behind', () => {
    const logits = tf.randomNormal([4, 3]);
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    const before = tf.memory().numTensors;
    tf.dispose([
      crossEntropy(logits, y, { weight: [1, 2, 3], labelSmoothing: 0.1 }),
      focalLoss(logits, y),
      batchHardTripletLoss(logits, y),
    ]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, y]);
  });
});

describe('loss invariants', () => {
  it('focal loss with γ = 0 is cross-entropy', () => {
    const logits = tf.tensor2d([
      [1, 2, 0.5],
      [0.1, -1, 3],
    ]);
    const y = tf.tensor1d([1, 2], 'int32');
    expect(focalLoss(logits, y, { gamma: 0 }).dataSync()[0]).toBeCloseTo(crossEntropy(logits, y).dataSync()[0], 6);
  });

  it('batch-hard triplet loss is 0 when no anchor has both a positive and a negative', () => {
    const e = tf.tensor2d([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(batchHardTripletLoss(e, tf.tensor1d([0, 1, 2], 'int32')).dataSync()[0]).toBe(0);
  });

  it('weighted multi-task sum weighs each term and logs the raw terms', () => {
    const terms = { ce: tf.scalar(2), kl: tf.scalar(0.5), rec: tf.scalar(4) };
    const { loss, logs } = weightedLossSum(terms, { ce: 1, kl: 0.1, rec: 0.25 });
    expect(loss.dataSync()[0]).toBeCloseTo(2 + 0.05 + 1, 6);
    expect(Object.keys(logs)).toEqual(['ce', 'kl', 'rec']);
    expect(() => weightedLossSum(terms, { ce: 1, kl: 1 })).toThrow(/loss term 'rec' has no weight/);
    expect(() => weightedLossSum(terms, { ce: 1, kl: 1, rec: 1, recon: 1 })).toThrow(
      /weight 'recon' names no loss term/,
    );
  });

  it('gives clear errors for bad inputs', () => {
    const logits = tf.zeros([2, 3]);
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(
      /labels must be class indices of shape \[2\], got shape \[3\]/,
    );
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1], 'int32'), { weight: [1, 2] })).toThrow(
      /weight must have one entry per class \(3\), got shape \[2\]/,
    );
    expect(() => crossEntropy(logits, tf.tensor1d([0, 1], 'int32'), { labelSmoothing: 1 })).toThrow(
      /labelSmoothing must be in \[0, 1\), got 1/,
    );
    expect(() => mseLoss(tf.zeros([2, 2]), tf.zeros([2, 3]))).toThrow(
      /prediction has shape \[2,2\] but target has shape \[2,3\]/,
    );
  });
});
