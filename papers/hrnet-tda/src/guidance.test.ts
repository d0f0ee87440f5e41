import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { applyOverrides, loadExperiment } from './config';
import { topKCorrect } from './module';
import { selectMode } from './run';
import { pearson, rankRuns, ranks, spearman, type RunSummary } from './topology/rank';

const TINY = path.join(__dirname, '__fixtures__', 'tiny_32x32.yaml');

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

describe('experiment overrides', () => {
  it('sets nested keys with YAML-typed values and leaves the input untouched', () => {
    const raw = { TRAIN: { LR: 0.05 } };
    const out = applyOverrides(raw, ['TRAIN.LR=0.01', 'TRAIN.LR_STEP=[2, 4]', 'TRAIN.NESTEROV=false', 'TOPO.SELECT=topo_gap']);
    expect(out).toEqual({ TRAIN: { LR: 0.01, LR_STEP: [2, 4], NESTEROV: false }, TOPO: { SELECT: 'topo_gap' } });
    expect(raw.TRAIN.LR).toBe(0.05);
  });

  it('validates overridden experiments, naming the overrides', () => {
    expect(loadExperiment(TINY, ['TRAIN.SEED=7']).TRAIN.SEED).toBe(7);
    expect(() => loadExperiment(TINY, ['TRAIN.LRR=1'])).toThrow(/with TRAIN\.LRR=1.*LRR/s);
    expect(() => loadExperiment(TINY, ['TOPO.MONITOR_EVERY=2'])).toThrow(/TOPO.SELECT 'topo_score' needs the gap every epoch: TOPO.MONITOR_EVERY must be 1, got 2/);
    expect(() => applyOverrides({}, ['LR'])).toThrow(/Invalid override 'LR': expected KEY.PATH=value/);
    expect(() => applyOverrides({ TRAIN: 3 }, ['TRAIN.LR=1'])).toThrow(/'TRAIN' is not a section/);
  });
});

describe('topKCorrect', () => {
  it('marks an example when its true class is among the k largest logits', () => {
    const logits = tf.tensor2d([[0.1, 0.9, 0.5, 0.2, 0.0, 0.3], [3, 2, 1, 0, -1, -2]]);
    const labels = tf.tensor1d([2, 5], 'int32');
    expect(Array.from(topKCorrect(logits, labels, 1).dataSync())).toEqual([0, 0]);
    expect(Array.from(topKCorrect(logits, labels, 2).dataSync())).toEqual([1, 0]);
    expect(Array.from(topKCorrect(logits, labels, 5).dataSync())).toEqual([1, 0]);
    expect(Array.from(topKCorrect(logits, labels, 6).dataSync())).toEqual([1, 1]);
    tf.dispose([logits, labels]);
  });
});

describe('topology-guided selection and ranking', () => {
  it('maximises accuracy and topo_score, minimises losses and the gap', () => {
    expect([selectMode('val_acc'), selectMode('topo_score'), selectMode('val_loss'), selectMode('topo_gap')]).toEqual(['max', 'max', 'min', 'min']);
  });

  it('pearson and spearman match scipy.stats values', () => {
    // scipy.stats.pearsonr([1,2,3,4,5],[2,1,4,3,7]) = 0.8241633836921339; spearmanr(...) = 0.8 (ranks 2,1,4,3,5:
    // 1 - 6 * 4 / (5 * 24)).
    expect(pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 7])).toBeCloseTo(0.8241633836921339, 12);
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 7])).toBeCloseTo(0.8, 12);
    expect(ranks([10, 20, 10, 30])).toEqual([1.5, 3, 1.5, 4]);
  });

  it('ranks runs by ascending topological gap', () => {
    const run = (runDir: string, topoGap: number): RunSummary => ({ runDir, topoGap, generalizationGap: 0, testTop1: 0, valTop1: 0, config: '' });
    expect(rankRuns([run('a', 0.5), run('b', 0.1), run('c', 0.3)]).map((r) => r.runDir)).toEqual(['b', 'c', 'a']);
  });
});
