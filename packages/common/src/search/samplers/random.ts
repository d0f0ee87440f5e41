// Optuna's RandomSampler: uniform in the transformed space (log scale for log parameters, half a step beyond the
// ends of discrete ranges, one uniform per categorical choice and the largest wins), numpy's stream for a seed.
import { Distribution, ParamValue, toExternalRepr } from '../distributions';
import { NumpyRandomState } from '../numpy-random';
import type { Sampler } from '../sampler';
import { numericBounds, untransformNumeric } from './search-space';

export class RandomSampler implements Sampler {
  readonly rng: NumpyRandomState;

  constructor(opts: { seed?: number } = {}) {
    this.rng = new NumpyRandomState(opts.seed);
  }

  /** A value drawn from one distribution (shared with TPE's start-up phase). */
  draw(distribution: Distribution): ParamValue {
    if (distribution.kind === 'categorical') {
      let best = 0;
      let bestValue = -Infinity;
      for (let i = 0; i < distribution.choices.length; i++) {
        const u = this.rng.uniform(0, 1);
        if (u > bestValue) {
          bestValue = u;
          best = i;
        }
      }
      return toExternalRepr(distribution, best);
    }
    const [lo, hi] = numericBounds(distribution);
    return toExternalRepr(distribution, untransformNumeric(this.rng.uniform(lo, hi), distribution));
  }

  async sampleIndependent(
    _study: unknown,
    _trial: unknown,
    _name: string,
    distribution: Distribution,
  ): Promise<ParamValue> {
    return this.draw(distribution);
  }
}
