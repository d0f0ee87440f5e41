// Evaluation of a trained checkpoint: loss, top-1 and top-5 on a split.
import type { HrnetExperiment } from './config';
import { loadExperimentData } from './data';
import { buildHrnet } from './model/hrnet';
import { hrnetModule } from './module';
import { evaluateSource, loadClassifierWeights } from './run';

export interface CheckpointEvaluation {
  checkpoint: string;
  split: 'val' | 'test';
  data: string;
  n: number;
  loss: number;
  top1: number;
  top5: number;
}

/** Builds the experiment's network, loads the classifier weights of `checkpoint` and evaluates it on `split`. */
export async function evaluateCheckpoint(exp: HrnetExperiment, checkpoint: string, opts: { split?: 'val' | 'test'; dataDir?: string } = {}): Promise<CheckpointEvaluation> {
  const split = opts.split ?? 'test';
  const data = loadExperimentData(exp, opts.dataDir);
  const { model } = buildHrnet(exp.MODEL, { init: 'zeros' });
  try {
    loadClassifierWeights(model, checkpoint);
    const source = data[split].source({ batchSize: exp.TEST.BATCH_SIZE_PER_GPU, augment: false, shuffle: false, seed: exp.TRAIN.SEED });
    const m = await evaluateSource(hrnetModule(model), source);
    return { checkpoint, split, data: data.description, ...m };
  } finally {
    model.dispose();
  }
}
