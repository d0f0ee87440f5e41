// A running trial: suggest parameters (Optuna's suggest_float / suggest_int / suggest_categorical), report
// intermediate values, ask the pruner.
import {
  CategoricalChoice,
  categoricalDistribution,
  checkDistributionCompatibility,
  contains,
  Distribution,
  floatDistribution,
  intDistribution,
  isSingle,
  ParamValue,
  toExternalRepr,
  toInternalRepr,
} from './distributions';
import type { Study } from './study';
import type { FrozenTrial } from './types';

export class Trial {
  constructor(
    readonly study: Study,
    readonly trialId: number,
    readonly number: number,
    /** The trial as stored when it started (params of a retried or enqueued trial are already there). */
    private frozen: FrozenTrial,
    private readonly relativeParams: Record<string, ParamValue>,
  ) {}

  get params(): Record<string, ParamValue> {
    return { ...this.frozen.params };
  }

  get frozenTrial(): FrozenTrial {
    return this.frozen;
  }

  async suggestFloat(
    name: string,
    low: number,
    high: number,
    opts: { log?: boolean; step?: number | null } = {},
  ): Promise<number> {
    return (await this.suggest(name, floatDistribution(low, high, opts))) as number;
  }

  async suggestInt(
    name: string,
    low: number,
    high: number,
    opts: { log?: boolean; step?: number } = {},
  ): Promise<number> {
    return (await this.suggest(name, intDistribution(low, high, opts))) as number;
  }

  async suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): Promise<T> {
    return (await this.suggest(name, categoricalDistribution([...choices]))) as T;
  }

  private async suggest(name: string, distribution: Distribution): Promise<ParamValue> {
    const existing = this.frozen.distributions[name];
    if (existing) {
      // Already suggested (or fixed by an enqueued/retried trial): the stored value, as Optuna's Trial._suggest.
      checkDistributionCompatibility(existing, distribution, name);
      return this.frozen.params[name];
    }
    let value: ParamValue;
    if (isSingle(distribution)) {
      value = distribution.kind === 'categorical' ? distribution.choices[0] : distribution.low;
    } else if (
      name in this.relativeParams &&
      contains(distribution, toInternalRepr(distribution, this.relativeParams[name]))
    ) {
      value = this.relativeParams[name];
    } else {
      value = await this.study.sampler.sampleIndependent(this.study, this.frozen, name, distribution);
    }
    const internal = toInternalRepr(distribution, value);
    await this.study.storage.setTrialParam(this.trialId, name, internal, distribution);
    const external = toExternalRepr(distribution, internal);
    this.frozen = {
      ...this.frozen,
      params: { ...this.frozen.params, [name]: external },
      distributions: { ...this.frozen.distributions, [name]: distribution },
    };
    return external;
  }

  /** Record an intermediate objective value at a step (an epoch, say). */
  async report(value: number, step: number): Promise<void> {
    if (typeof value !== 'number') throw new Error(`report: value must be a number, got ${String(value)}`);
    if (this.frozen.intermediateValues.has(step)) return; // Optuna ignores a second report of a step
    await this.study.storage.setTrialIntermediateValue(this.trialId, step, value);
    const intermediateValues = new Map(this.frozen.intermediateValues);
    intermediateValues.set(step, value);
    this.frozen = { ...this.frozen, intermediateValues };
  }

  /** Whether the study's pruner would stop this trial now. */
  async shouldPrune(): Promise<boolean> {
    const stored = await this.study.storage.getTrial(this.trialId);
    this.frozen = { ...stored };
    return this.study.pruner.prune(this.study, stored);
  }

  async setUserAttr(key: string, value: unknown): Promise<void> {
    await this.study.storage.setTrialUserAttr(this.trialId, key, value);
    this.frozen = { ...this.frozen, userAttrs: { ...this.frozen.userAttrs, [key]: value } };
  }
}
