export { TorchOptimizer, type NamedVariable, type OptimizerState } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamOptions } from './adam';
export {
  type LRSchedule,
  stepLR,
  multiStepLR,
  exponentialLR,
  cosineAnnealingLR,
  warmupCosineLR,
  constantLR,
} from './schedules';
export { createOptimizer, createSchedule, type OptimizerSpec, type ScheduleSpec } from './factory';
