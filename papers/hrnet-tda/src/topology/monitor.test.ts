import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type TrainerView,
  activationDiagrams,
  bottleneckDistance,
  initBackend,
  wassersteinDistance,
  buildHrnet,
  featureModel,
} from '@research/common';
import { loadExperiment } from '../config';
import { monitoredLayers } from './activations';
import { meanPairwiseDistance } from './gap';
import { TopologyMonitor } from './monitor';

const TINY = path.join(__dirname, '..', '__fixtures__', 'tiny_32x32.yaml');

beforeAll(async () => {
  await initBackend('wasm', { log: () => undefined, env: { RESEARCH_WASM_THREADS: '0' } });
});

describe('TopologyMonitor', () => {
  it('adds topo/<layer>/<distance>, topo_gap and topo_score equal to the TDA functions called directly', () => {
    const exp = loadExperiment(TINY);
    const { model, stageOutputs } = buildHrnet(exp.MODEL, { init: 'official', seed: 3 });
    const layers = monitoredLayers(stageOutputs);
    expect(layers.map((l) => l.key)).toEqual([
      'stage1.b0',
      'stage2.b0',
      'stage2.b1',
      'stage3.b0',
      'stage3.b1',
      'stage3.b2',
      'stage4.b0',
      'stage4.b1',
      'stage4.b2',
      'stage4.b3',
      'pooled',
    ]);
    const trainX = tf.randomNormal([10, 32, 32, 1], 0, 1, 'float32', 1);
    const valX = tf.randomNormal([10, 32, 32, 1], 0.3, 1.2, 'float32', 2);
    const plotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrnet-topo-'));
    const scalars: [string, number, number][] = [];
    const monitor = new TopologyMonitor({
      model,
      layers,
      trainSample: trainX,
      valSample: valX,
      everyNEpochs: 2,
      scoreWeight: 0.5,
      plotDir,
      writer: { addScalar: (tag, value, step) => scalars.push([tag, value, step]) },
    });
    const before = tf.memory().numTensors;
    const metrics: Record<string, number> = { val_acc: 0.4 };
    monitor.onValidationEnd({ epoch: 2, maxEpochs: 10 } as TrainerView, {} as never, metrics);
    expect(tf.memory().numTensors).toBe(before);

    // Independent computation: per-channel spatial means, common scale from the train cloud, Rips H0/H1, distances.
    const probe = featureModel(
      model,
      layers.map((l) => l.layer),
    );
    const points = (x: tf.Tensor) =>
      (probe.predict(x) as tf.Tensor[]).map((t) => {
        const r = t.rank === 4 ? t.mean([1, 2]) : t;
        return { rows: r.shape[0], cols: r.shape[1] as number, data: Float64Array.from(r.dataSync()) };
      });
    const trainPts = points(trainX);
    const valPts = points(valX);
    let gapSum = 0;
    layers.forEach(({ key }, k) => {
      const s = meanPairwiseDistance(trainPts[k]);
      const scale = (p: (typeof trainPts)[number]) => ({ ...p, data: p.data.map((v) => v / s) });
      const [t0, t1] = activationDiagrams(scale(trainPts[k]), { maxDim: 1 });
      const [v0, v1] = activationDiagrams(scale(valPts[k]), { maxDim: 1 });
      expect(metrics[`topo/${key}/bottleneck_h0`]).toBeCloseTo(bottleneckDistance(t0.pairs, v0.pairs), 4);
      expect(metrics[`topo/${key}/bottleneck_h1`]).toBeCloseTo(bottleneckDistance(t1.pairs, v1.pairs), 4);
      expect(metrics[`topo/${key}/wasserstein_h0`]).toBeCloseTo(wassersteinDistance(t0.pairs, v0.pairs), 4);
      expect(metrics[`topo/${key}/wasserstein_h1`]).toBeCloseTo(wassersteinDistance(t1.pairs, v1.pairs), 4);
      gapSum += wassersteinDistance(t0.pairs, v0.pairs) + wassersteinDistance(t1.pairs, v1.pairs);
    });
    expect(metrics.topo_gap).toBeCloseTo(gapSum / layers.length, 4);
    expect(metrics.topo_gap).toBeGreaterThan(0);
    expect(metrics.topo_score).toBeCloseTo(0.4 - 0.5 * metrics.topo_gap, 6);
    expect(Object.keys(metrics)).toHaveLength(1 + 4 * layers.length + 2);
    expect(scalars.find(([tag]) => tag === 'topo/pooled/wasserstein_h1')).toEqual([
      'topo/pooled/wasserstein_h1',
      metrics['topo/pooled/wasserstein_h1'],
      3,
    ]); // the third epoch (index 2), counted from 1
    expect(fs.readdirSync(path.join(plotDir, 'epoch_003')).sort()).toEqual(['pooled_train.png', 'pooled_val.png']);

    // Epoch index 3 is neither a multiple of 2 nor the last: nothing is measured.
    const skipped: Record<string, number> = {};
    monitor.onValidationEnd({ epoch: 3, maxEpochs: 10 } as TrainerView, {} as never, skipped);
    expect(skipped).toEqual({});
    tf.dispose([trainX, valX]);
    model.dispose();
  });

  it('measures identical train and validation samples as a zero gap', () => {
    const exp = loadExperiment(TINY);
    const { model, stageOutputs } = buildHrnet(exp.MODEL, { init: 'official', seed: 1 });
    const x = tf.randomNormal([8, 32, 32, 1], 0, 1, 'float32', 5);
    const monitor = new TopologyMonitor({ model, layers: monitoredLayers(stageOutputs), trainSample: x, valSample: x });
    const metrics: Record<string, number> = {};
    monitor.onValidationEnd({ epoch: 0, maxEpochs: 1 } as TrainerView, {} as never, metrics);
    expect(metrics.topo_gap).toBe(0);
    expect(Number.isNaN(metrics.topo_score)).toBe(true); // no val_acc to score
    tf.dispose(x);
    model.dispose();
  });
});
