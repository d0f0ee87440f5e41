import { Adam, AdamW } from './adam';
import type { TorchOptimizer } from './optimizer';
import {
  type LRSchedule,
  constantLR,
  cosineAnnealingLR,
  exponentialLR,
  multiStepLR,
  stepLR,
  warmupCosineLR,
} from './schedules';
import { SGD } from './sgd';

/** An optimizer described by plain data (e.g. a config's `train.optimizer` section). */
export type OptimizerSpec =
  | { name: 'sgd'; lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }
  | { name: 'adam' | 'adamw'; lr: number; betas?: [number, number]; eps?: number; weightDecay?: number };

export function createOptimizer(spec: OptimizerSpec): TorchOptimizer {
  switch (spec.name) {
    case 'sgd':
      return new SGD(spec);
    case 'adam':
      return new Adam(spec);
    case 'adamw':
      return new AdamW(spec);
    default:
      throw new Error(
        `createOptimizer: name must be 'sgd', 'adam' or 'adamw', got '${(spec as { name: string }).name}'`,
      );
  }
}

type Interval = LRSchedule['interval'];

/** An LR schedule described by plain data; options as in the schedule functions. */
export type ScheduleSpec =
  | { name: 'constant' }
  | { name: 'step'; stepSize: number; gamma?: number; interval?: Interval }
  | { name: 'multistep'; milestones: number[]; gamma?: number; interval?: Interval }
  | { name: 'exponential'; gamma: number; interval?: Interval }
  | { name: 'cosine'; tMax: number; etaMin?: number; interval?: Interval }
  | {
      name: 'warmupCosine';
      warmupSteps: number;
      totalSteps: number;
      warmupStartFactor?: number;
      etaMin?: number;
      interval?: Interval;
    };

export function createSchedule(spec: ScheduleSpec): LRSchedule {
  switch (spec.name) {
    case 'constant':
      return constantLR();
    case 'step':
      return stepLR(spec);
    case 'multistep':
      return multiStepLR(spec);
    case 'exponential':
      return exponentialLR(spec);
    case 'cosine':
      return cosineAnnealingLR(spec);
    case 'warmupCosine':
      return warmupCosineLR(spec);
    default:
      throw new Error(
        `createSchedule: name must be 'constant', 'step', 'multistep', 'exponential', 'cosine' or 'warmupCosine', got '${(spec as { name: string }).name}'`,
      );
  }
}
