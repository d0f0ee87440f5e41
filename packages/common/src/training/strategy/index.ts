// Gradient strategies the Trainer delegates a step's gradients to (standard; DP-SGD lives in ../privacy), the
// layer hooks strategies and precision plugins use to see inside a model's forward pass, and the choice of strategy
// and precision from `training.trainer_type`.
export {
  type GradientStrategy,
  type StepGradients,
  type StrategySetup,
  standardGradients,
  standardStrategy,
} from './gradient-strategy';
export { type LayerCall, leafLayers, patchLayerCall, withPatchedLayers } from './layer-hooks';
export {
  TRAINER_TYPES,
  defaultWorldSize,
  trainingPluginsFromConfig,
  type TrainerTypeConfig,
  type TrainingPlugins,
  type TrainingPluginsContext,
} from './from-config';
