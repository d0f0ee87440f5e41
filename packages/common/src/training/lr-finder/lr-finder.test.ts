import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../../data';
import { syntheticLoader, tinyMlp } from '../__fixtures__/synthetic';
import { classificationModule, moduleParameters, type TrainModule } from '../module';
import { plotLrFinder } from '../../viz';
import { Adam, SGD } from '../optim';
import { exponentialLrs, lrRangeTest, numpyGradient, SmoothedLoss, suggestLr, writeLrFinderReport } from '.';

describe('LR range test curve', () => {
  it('sweeps the LR geometrically from start to end', () => {
    const lrs = exponentialLrs(1e-7, 1, 8);
    expect(lrs[0]).toBe(1e-7);
    expect(lrs[7]).toBeCloseTo(1, 12);
    for (let i = 1; i < 8; i++) expect(lrs[i] / lrs[i - 1]).toBeCloseTo(10, 10);
    expect(() => exponentialLrs(1, 0.1, 10)).toThrow('need 0 < start_lr < end_lr');
    expect(() => exponentialLrs(1e-3, 1, 1)).toThrow('num_iter must be an integer >= 2');
  });

  it('smooths with bias correction (a constant stays constant from the first value)', () => {
    const constant = new SmoothedLoss(0.98);
    for (let i = 0; i < 5; i++) expect(constant.add(2.5)).toBeCloseTo(2.5, 12);
    const s = new SmoothedLoss(0.9);
    expect(s.add(1)).toBeCloseTo(1, 12); // 0.1 / 0.1
    expect(s.add(2)).toBeCloseTo(0.29 / 0.19, 12); // (0.9 x 0.1 + 0.1 x 2) / (1 - 0.81)
    expect(() => new SmoothedLoss(1)).toThrow('beta must be in [0, 1)');
  });

  it('differentiates as numpy.gradient does', () => {
    expect(numpyGradient([1, 4, 9, 16])).toEqual([3, 4, 6, 7]);
  });

  it('suggests the steepest point of a synthetic curve, ignoring the skipped ends', () => {
    const lrs = exponentialLrs(1e-6, 1, 100);
    const x0 = Math.log10(lrs[57]);
    // A descent whose slope against log lr is steepest at index 57 ...
    const losses = lrs.map((lr) => 2 - Math.tanh((Math.log10(lr) - x0) / 0.8));
    // ... and steeper drops inside the first 10 and last 5 points, which the rule skips.
    losses[3] -= 5;
    losses[97] -= 4;
    expect(suggestLr(lrs, losses)).toEqual({ lr: lrs[57], index: 57 });
    expect(suggestLr(lrs, losses, 0, 0)?.index).toBe(2); // without skipping: the drop at 3 (central difference at 2 and 4)
    expect(suggestLr(lrs.slice(0, 16), losses.slice(0, 16))).toBeNull(); // 1 point left after skipping 10 + 5
  });
});

/** One trainable scalar w with loss (w - t)^2, t the batch's target: SGD diverges once lr > 1. */
function quadraticModule(): { module: TrainModule; w: tf.Variable } {
  const w = tf.variable(tf.scalar(0), true, 'lr_finder_w');
  return {
    w,
    module: { variables: { w }, trainingStep: (batch) => ({ loss: w.sub(batch.t.mean()).square() as tf.Scalar }) },
  };
}

/** Targets 3, 4, 2, 3, 4, 2, ... so that the loss never settles at 0. */
function targetSource(batches: number): BatchSource {
  return {
    batchesPerEpoch: batches,
    size: batches,
    async *batches(): AsyncGenerator<Batch> {
      for (let i = 0; i < batches; i++) yield { t: tf.tensor1d([[3, 4, 2][i % 3]]) };
    },
  };
}

describe('lrRangeTest', () => {
  it('stops when the smoothed loss exceeds threshold x its minimum, and restores the weight', async () => {
    const { module, w } = quadraticModule();
    const before = tf.memory().numTensors;
    const result = await lrRangeTest(module, targetSource(7), (lr) => new SGD({ lr }), {
      startLr: 1e-3,
      endLr: 10,
      numIter: 100,
      beta: 0.9,
      divergeThreshold: 4,
    });
    const n = result.smoothed.length;
    expect(n).toBeLessThan(100);
    expect(result.lrs[n - 1]).toBeGreaterThan(1); // gradient descent on (w - t)^2 diverges only above lr = 1
    expect(result.stoppedEarly).toMatch(/exceeded 4 x the best/);
    const min = Math.min(...result.smoothed);
    expect(result.smoothed[n - 1]).toBeGreaterThan(4 * min);
    // It stopped at the first point above 4 x the running minimum, not later.
    for (let i = 0; i < n - 1; i++)
      expect(result.smoothed[i]).toBeLessThanOrEqual(4 * Math.min(...result.smoothed.slice(0, i + 1)));
    expect(result.losses[0]).toBe(9); // (0 - 3)^2 at the start
    expect(w.dataSync()[0]).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it("runs num_iter iterations across epochs, and leaves model weights and an existing optimizer's state untouched", async () => {
    const model = tinyMlp();
    const module = classificationModule(model);
    const data = syntheticLoader(48, 1, 16); // 3 batches an epoch: 20 iterations cycle through 7 epochs
    const adam = new Adam({ lr: 0.01 });
    // Give the optimizer some state first: one step on one batch.
    const params = moduleParameters(module);
    const batch: Batch = { x: tf.zeros([2, 4, 4, 1]), y: tf.tensor1d([0, 1], 'int32') };
    const { value, grads } = tf.variableGrads(
      () => module.trainingStep(batch, { epoch: 0, batchIndex: 0, globalStep: 0, stage: 'train' }).loss,
    );
    adam.step(params.trainable, Object.fromEntries(params.trainable.map((p) => [p.name, grads[p.variable.name]])));
    tf.dispose([value, grads, batch]);
    const weights = model.getWeights().map((t) => Array.from(t.dataSync()));
    const before = tf.memory().numTensors;
    const state = adam.stateDict();
    expect(Object.keys(state.tensors).length).toBeGreaterThan(0);
    const result = await lrRangeTest(module, data, adam, {
      startLr: 1e-5,
      endLr: 1e-1,
      numIter: 20,
      skipStart: 2,
      skipEnd: 2,
    });
    expect(result.lrs).toHaveLength(20);
    expect(result.stoppedEarly).toBeNull();
    expect(result.suggestion).not.toBeNull();
    expect(model.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(weights);
    expect(adam.lr).toBe(0.01);
    const after = adam.stateDict();
    expect(Object.keys(after.tensors)).toEqual(Object.keys(state.tensors));
    for (const key of Object.keys(state.tensors))
      expect(after.tensors[key].dataSync()).toEqual(state.tensors[key].dataSync());
    expect(after.json).toEqual(state.json);
    tf.dispose([Object.values(state.tensors), Object.values(after.tensors)]);
    expect(tf.memory().numTensors).toBe(before);

    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'lr-finder-'));
    const dir = writeLrFinderReport(parent, result, { model: 'tiny-mlp' }, new Date('2026-11-29T01:02:03Z'));
    expect(path.basename(dir)).toBe('lr_finder_20261129-010203');
    expect(fs.readdirSync(dir).sort()).toEqual(['lr_finder.log', 'lr_plot.png', 'results.json']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
    expect(json.model).toBe('tiny-mlp');
    expect(json.suggested_lr).toBe(result.suggestion!.lr);
    expect(json.history.lr).toEqual(result.lrs);
    expect(fs.readFileSync(path.join(dir, 'lr_plot.png')).subarray(1, 4).toString()).toBe('PNG');
    const svg = plotLrFinder(result).svg;
    expect(svg.match(/class="[^"]*suggestion_(rule|point)[^"]*"/g)).toHaveLength(2); // the dashed line and the dot
    expect(svg).toContain(`suggested ${result.suggestion!.lr.toExponential(2)}`);
    expect(fs.readFileSync(path.join(dir, 'lr_finder.log'), 'utf8')).toMatch(
      /iter {4}1 {2}lr 1\.0000e-5 .*\nsuggested lr .* \(steepest descent/s,
    );
    expect(path.basename(writeLrFinderReport(parent, result, {}, new Date('2026-11-29T01:02:03Z')))).toBe(
      'lr_finder_20261129-010203_1',
    );
    fs.rmSync(parent, { recursive: true, force: true });
    model.dispose();
    adam.dispose();
  });
});
