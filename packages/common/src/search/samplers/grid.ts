// Optuna's GridSampler: the product of the given values (parameters sorted by name, the last varying fastest),
// each point stored as the trial's system attributes search_space and grid_id. Unlike Optuna, which can evaluate
// a point twice when workers race, the point is claimed inside a database transaction: every point exactly once
// across workers. When every point is taken the study stops: after the trial that took the last one, as Optuna's
// after_trial (a racing worker's extra trial ends FAIL, no grid_id).
import { CategoricalChoice, Distribution, ParamValue } from '../distributions';
import { NumpyRandomState } from '../numpy-random';
import type { Sampler } from '../sampler';
import type { Study } from '../study';
import { pythonJsonDumps } from '../py-json';
import type { FrozenTrial, TrialState } from '../types';

export class GridExhaustedError extends Error {}

export class GridSampler implements Sampler {
  readonly searchSpace: Record<string, CategoricalChoice[]>;
  readonly paramNames: string[];
  readonly grids: CategoricalChoice[][];
  private readonly rng: NumpyRandomState;

  constructor(searchSpace: Record<string, CategoricalChoice[]>, opts: { seed?: number } = {}) {
    this.paramNames = Object.keys(searchSpace).sort();
    this.searchSpace = {};
    for (const name of this.paramNames) {
      if (searchSpace[name].length === 0) throw new Error(`GridSampler: parameter "${name}" has no values`);
      this.searchSpace[name] = [...searchSpace[name]];
    }
    this.grids = [[]];
    for (const name of this.paramNames) {
      this.grids = this.grids.flatMap((g) => this.searchSpace[name].map((v) => [...g, v]));
    }
    this.rng = new NumpyRandomState(opts.seed);
  }

  async sampleRelative(study: Study, trial: FrozenTrial): Promise<Record<string, ParamValue>> {
    let gridId = trial.systemAttrs.grid_id as number | undefined;
    if (gridId === undefined) {
      const claimed = await study.storage.claimGridId(
        study.studyId,
        trial.trialId,
        this.searchSpace,
        this.grids.length,
        (free) => free[this.rng.randint(0, free.length)],
      );
      if (claimed === null) {
        study.stop();
        throw new GridExhaustedError(
          `GridSampler: all ${this.grids.length} grid points of study ` + `"${study.studyName}" are taken`,
        );
      }
      gridId = claimed;
    }
    const point = this.grids[gridId];
    return Object.fromEntries(this.paramNames.map((name, i) => [name, point[i]]));
  }

  /** Stops the study once every point is taken by a trial that did not fail (Optuna's after_trial). */
  async afterTrial(study: Study, trial: FrozenTrial, state: TrialState): Promise<void> {
    const spaceJson = pythonJsonDumps(this.searchSpace);
    const taken = new Set<number>();
    for (const t of await study.getTrials()) {
      const id = t.systemAttrs.grid_id;
      const finalState = t.trialId === trial.trialId ? state : t.state;
      if (finalState !== 'FAIL' && typeof id === 'number' && pythonJsonDumps(t.systemAttrs.search_space) === spaceJson)
        taken.add(id);
    }
    if (taken.size >= this.grids.length) study.stop();
  }

  async sampleIndependent(_study: Study, _trial: FrozenTrial, name: string, _d: Distribution): Promise<ParamValue> {
    throw new Error(
      `GridSampler: parameter "${name}" is not in the grid's search space ` + `(${this.paramNames.join(', ')})`,
    );
  }
}
