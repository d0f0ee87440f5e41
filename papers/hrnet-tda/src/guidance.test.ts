import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment } from './config';
import { topKCorrect } from './module';
import { selectMode } from './app';
import { pearson, rankRuns, ranks, spearman, type RunSummary } from './topology/rank';

const TINY = path.join(__dirname, '__fixtures__', 'tiny_32x32.yaml');

beforeAll(async () => {
  tf.enableProdMode();
  await tf.setBackend('cpu');
});

describe('experiment overrides', () => {
  it("go through common's composer: typed values, checked keys and values, cross-key checks", () => {
    const exp = loadExperiment(TINY, ['TRAIN.SEED=7', 'TRAIN.LR_STEP=[2,4]', 'TRAIN.NESTEROV=false']);
    expect([exp.TRAIN.SEED, exp.TRAIN.LR_STEP, exp.TRAIN.NESTEROV]).toEqual([7, [2, 4], false]);
    // A misspelt key is blamed on the override, with the nearest key suggested (not on the experiment file).
    expect(() => loadExperiment(TINY, ['TRAIN.LRR=0.1'])).toThrow(
      "override 'TRAIN.LRR=0.1': no key 'TRAIN.LRR' in the schema or the config files; did you mean 'TRAIN.LR'?",
    );
    expect(() => loadExperiment(TINY, ['TRAIN.SEED=4294967296'])).toThrow(
      /TRAIN.SEED = 4294967296 .*an integer in \[0, 4294967295\]/,
    );
    expect(() => loadExperiment(TINY, ['TRAIN.END_EPOCH=1e20'])).toThrow(/TRAIN.END_EPOCH/);
    expect(() => loadExperiment(TINY, ['TOPO.MONITOR_EVERY=2'])).toThrow(
      /TOPO.SELECT 'topo_score' needs the gap every epoch: TOPO.MONITOR_EVERY must be 1, got 2/,
    );
    expect(() => loadExperiment(TINY, ['MODEL.EXTRA.STAGE2.NUM_CHANNELS=[4,0]'])).toThrow(
      /MODEL.EXTRA.STAGE2.NUM_CHANNELS: must hold positive integers/,
    );
  });
});

describe('topKCorrect', () => {
  it('marks an example when its true class is among the k largest logits', () => {
    const logits = tf.tensor2d([
      [0.1, 0.9, 0.5, 0.2, 0.0, 0.3],
      [3, 2, 1, 0, -1, -2],
    ]);
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
    expect([selectMode('val_acc'), selectMode('topo_score'), selectMode('val_loss'), selectMode('topo_gap')]).toEqual([
      'max',
      'max',
      'min',
      'min',
    ]);
  });

  it('pearson and spearman match scipy.stats values', () => {
    // scipy.stats.pearsonr([1,2,3,4,5],[2,1,4,3,7]) = 0.8241633836921339; spearmanr(...) = 0.8 (ranks 2,1,4,3,5:
    // 1 - 6 * 4 / (5 * 24)).
    expect(pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 7])).toBeCloseTo(0.8241633836921339, 12);
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 7])).toBeCloseTo(0.8, 12);
    expect(ranks([10, 20, 10, 30])).toEqual([1.5, 3, 1.5, 4]);
  });

  it('ranks runs by ascending topological gap', () => {
    const run = (runDir: string, topoGap: number): RunSummary => ({
      runDir,
      topoGap,
      generalizationGap: 0,
      testTop1: 0,
      valTop1: 0,
      config: '',
    });
    expect(rankRuns([run('a', 0.5), run('b', 0.1), run('c', 0.3)]).map((r) => r.runDir)).toEqual(['b', 'c', 'a']);
  });
});
