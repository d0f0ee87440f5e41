// What a sampler and a pruner are, as Optuna defines them.
import type { Distribution, ParamValue } from './distributions';
import type { Study } from './study';
import type { FrozenTrial, TrialState } from './types';

export interface Sampler {
  /** Parameters sampled jointly at the start of a trial (CMA-ES, grid); the rest go through sampleIndependent. */
  sampleRelative?(study: Study, trial: FrozenTrial): Promise<Record<string, ParamValue>>;
  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): Promise<ParamValue>;
  afterTrial?(study: Study, trial: FrozenTrial, state: TrialState, values: number[] | null): Promise<void>;
}

export interface Pruner {
  prune(study: Study, trial: FrozenTrial): Promise<boolean>;
}

/** Thrown by an objective to stop a trial that a pruner judged unpromising (Optuna's TrialPruned). */
export class TrialPruned extends Error {
  constructor(message = 'trial pruned') {
    super(message);
    this.name = 'TrialPruned';
  }
}
