import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type Batch, type BatchSource, Trainer, createOptimizer, crossEntropy } from '@research/common';
import { ClassificationScores, PredictionStore, classificationLoss, gravityModule, writeEvaluationArtifacts } from '.';

const logits = tf.tensor2d([
  [2, 0.5, -1],
  [0.1, 0.2, 0.3],
  [-1, 3, 0],
  [0.5, 0.5, 2],
]);
const labels = tf.tensor1d([0, 2, 1, 0], 'int32');

afterAll(() => tf.dispose([logits, labels]));

describe('classificationLoss', () => {
  it('focal loss with gamma 0 equals cross-entropy; gamma 2 down-weights easy examples', () => {
    const ce = classificationLoss({ name: 'cross_entropy', labelSmoothing: 0, gamma: 2 })(logits, labels).dataSync()[0];
    const focal0 = classificationLoss({ name: 'focal_loss', labelSmoothing: 0, gamma: 0 })(
      logits,
      labels,
    ).dataSync()[0];
    const focal2 = classificationLoss({ name: 'focal_loss', labelSmoothing: 0, gamma: 2 })(
      logits,
      labels,
    ).dataSync()[0];
    expect(focal0).toBeCloseTo(ce, 6);
    // By hand: mean_i (1 - p_i)^2 (-log p_i).
    const p = tf.softmax(logits).arraySync() as number[][];
    const y = [0, 2, 1, 0];
    const manual = y.reduce((s, c, i) => s + (1 - p[i][c]) ** 2 * -Math.log(p[i][c]), 0) / 4;
    expect(focal2).toBeCloseTo(manual, 6);
    expect(focal2).toBeLessThan(ce);
  });

  it('label smoothing 0.1 is (1 - 0.1) NLL + 0.1 x mean over classes of -log p; class weights as torch', () => {
    const smoothed = classificationLoss({ name: 'cross_entropy', labelSmoothing: 0.1, gamma: 0 })(
      logits,
      labels,
    ).dataSync()[0];
    const p = tf.softmax(logits).arraySync() as number[][];
    const y = [0, 2, 1, 0];
    const manual =
      y.reduce((s, c, i) => s + 0.9 * -Math.log(p[i][c]) + (0.1 / 3) * p[i].reduce((a, q) => a - Math.log(q), 0), 0) /
      4;
    expect(smoothed).toBeCloseTo(manual, 5);
    const w = [1, 2, 0.5];
    const weighted = classificationLoss({ name: 'cross_entropy', labelSmoothing: 0, gamma: 0, classWeights: w })(
      logits,
      labels,
    ).dataSync()[0];
    const manualW = y.reduce((s, c, i) => s + w[c] * -Math.log(p[i][c]), 0) / y.reduce((s, c) => s + w[c], 0);
    expect(weighted).toBeCloseTo(manualW, 5);
    expect(crossEntropy(logits, labels).dataSync()[0]).not.toBeCloseTo(weighted, 3);
    expect(() => classificationLoss({ name: 'hinge' as 'focal_loss', labelSmoothing: 0, gamma: 0 })).toThrow(
      /cross_entropy' or 'focal_loss'/,
    );
  });
});

describe('PredictionStore', () => {
  it("gives sklearn's scores and the per-class view attention of each class's own query", () => {
    const store = new PredictionStore(3, 2);
    // attention [2 samples, 3 classes, 2 views]
    store.add([0, 2], [0, 1], [0.9, 0.1, 0.5, 0.5, 0.2, 0.8, /* sample 2 */ 0.3, 0.7, 0.6, 0.4, 0.25, 0.75]);
    store.add([2, 1], [2, 1]);
    // y = [0, 2, 2, 1], p = [0, 1, 2, 1]: recalls 1, 1, 0.5 -> balanced 0.8333; F1 per class 1, 0.6667, 0.6667.
    const s = store.scores();
    expect(s.accuracy).toBeCloseTo(0.75, 10);
    expect(s.balanced_accuracy).toBeCloseTo(2.5 / 3, 10);
    expect(s.macro_f1).toBeCloseTo((1 + 2 / 3 + 2 / 3) / 3, 10);
    expect(s.weighted_f1).toBeCloseTo((1 * 1 + (2 / 3) * 1 + (2 / 3) * 2) / 4, 10);
    expect(store.viewAttention()).toEqual([[0.9, 0.1], null, [0.25, 0.75]]);
    expect(store.confusion()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ]);
  });
});

/** A fixed set of separable 2-feature examples in batches of 4. */
function toySource(n: number): BatchSource {
  const xs = Array.from({ length: n }, (_, i) => [Math.cos(i), (i % 3) - 1]);
  const ys = Array.from({ length: n }, (_, i) => i % 3);
  return {
    size: n,
    batchesPerEpoch: Math.ceil(n / 4),
    async *batches(): AsyncGenerator<Batch> {
      for (let k = 0; k < n; k += 4)
        yield { x: tf.tensor2d(xs.slice(k, k + 4)), y: tf.tensor1d(ys.slice(k, k + 4), 'int32') };
    },
  };
}

describe("gravityModule in common's Trainer", () => {
  it('trains, and each epoch record has val_accuracy, val_balanced_accuracy, val_macro_f1, val_weighted_f1', async () => {
    const input = tf.input({ shape: [2] });
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 3, kernelInitializer: 'zeros' }).apply(input) as tf.SymbolicTensor,
    });
    const module = gravityModule(model, {
      loss: { name: 'cross_entropy', labelSmoothing: 0.1, gamma: 0 },
      numClasses: 3,
      numViews: 0,
    });
    const trainer = new Trainer({
      maxEpochs: 3,
      optimizer: createOptimizer({ name: 'adamw', lr: 0.1, weightDecay: 0.05 }),
      callbacks: [new ClassificationScores()],
      gradClipNorm: 1,
    });
    const result = await trainer.fit(module, toySource(18), toySource(10));
    const last = result.history[2];
    for (const key of [
      'train_accuracy',
      'val_loss',
      'val_accuracy',
      'val_balanced_accuracy',
      'val_macro_f1',
      'val_weighted_f1',
    ])
      expect(Object.keys(last)).toContain(key);
    expect(module.predictions.val.size).toBe(10);
    expect(last.val_balanced_accuracy).toBeCloseTo(module.predictions.val.scores().balanced_accuracy, 12);
    expect(last.val_accuracy).toBeCloseTo(module.predictions.val.scores().accuracy, 6);
    expect(last.val_accuracy).toBeGreaterThan(0.9); // (i % 3) - 1 separates the classes
    const test = await trainer.test(module, toySource(7));
    expect(test.test_accuracy).toBeCloseTo(module.predictions.test.scores().accuracy, 6);
    model.dispose();
  });

  it('writes the confusion matrix, report, scores and view attention plot', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gravity-art-'));
    const store = new PredictionStore(3, 2);
    store.add(
      [0, 1, 2],
      [0, 1, 1],
      [1, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.2, 0.8, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.3, 0.7],
    );
    const out = writeEvaluationArtifacts(store, dir, ['Blip', 'Chirp', 'Helix'], ['0.5', '1.0']);
    expect(out.files.map((f) => path.basename(f)).sort()).toEqual([
      'classification_report.txt',
      'confusion_matrix.png',
      'test_scores.json',
      'view_attention.json',
      'view_attention.png',
    ]);
    const attention = JSON.parse(fs.readFileSync(path.join(dir, 'view_attention.json'), 'utf8'));
    expect(attention.classes).toEqual({ Blip: [1, 0], Chirp: [0.2, 0.8], Helix: [0.3, 0.7] });
    expect(fs.readFileSync(path.join(dir, 'classification_report.txt'), 'utf8')).toMatch(/Helix\s+0\.0000\s+0\.0000/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
