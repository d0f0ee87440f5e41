// Evaluation without a Trainer (Lightning's trainer.validate / trainer.test need no optimizer): the exact
// per-example means of a module's validation or test outputs over a source.
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../data';
import type { EvaluationStepOutput, StepContext, TrainModule } from './module';

/** Returns the example count of a batch: the first dimension of its first tensor. */
export function batchSizeOf(batch: Batch): number {
  const first = Object.values(batch)[0];
  if (!first) throw new Error('batch has no tensors');
  return first.rank === 0 ? 1 : first.shape[0];
}

/** A mean of numbers weighted by example counts, per key. */
export class WeightedMeans {
  private readonly sums = new Map<string, number>();
  private readonly counts = new Map<string, number>();

  add(key: string, total: number, count: number): void {
    this.sums.set(key, (this.sums.get(key) ?? 0) + total);
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  means(prefix: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, sum] of this.sums) out[prefix + key] = sum / (this.counts.get(key) as number);
    return out;
  }
}

export interface EvaluateOptions {
  /** 'val' runs validationStep; 'test' runs testStep, else validationStep. Keys are prefixed `<stage>_`. Default 'test'. */
  stage?: 'val' | 'test';
  /** Passed to the source (its epoch-dependent order, if any) and to the steps. Default 0. */
  epoch?: number;
  globalStep?: number;
}

/** Mean evaluation outputs of `module` over `source`, keys prefixed `val_` or `test_`. */
export async function evaluate(
  module: TrainModule,
  source: BatchSource,
  opts: EvaluateOptions = {},
): Promise<Record<string, number>> {
  const { stage = 'test', epoch = 0, globalStep = 0 } = opts;
  const step = stage === 'test' ? (module.testStep ?? module.validationStep) : module.validationStep;
  if (!step) throw new Error(`evaluate: the module has no ${stage === 'test' ? 'testStep or ' : ''}validationStep`);
  const means = new WeightedMeans();
  let batchIndex = 0;
  for await (const batch of source.batches(epoch)) {
    const ctx: StepContext = { epoch, batchIndex: batchIndex++, globalStep, stage };
    const n = batchSizeOf(batch);
    let out: EvaluationStepOutput;
    try {
      out = tf.tidy(() => step.call(module, batch, ctx));
    } finally {
      tf.dispose(batch);
    }
    for (const [key, t] of Object.entries(out)) {
      if (t.rank === 0) means.add(key, t.dataSync()[0] * n, n);
      else if (t.rank === 1) means.add(key, sumOf(t.dataSync() as Float32Array), t.shape[0]);
      else
        throw new Error(
          `evaluate: ${stage} output '${key}' must be a scalar (batch mean) or per-example [batch], got shape [${t.shape}]`,
        );
    }
    tf.dispose(out);
  }
  return means.means(`${stage}_`);
}

function sumOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
