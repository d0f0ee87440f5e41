// Gradient strategies the Trainer delegates a step's gradients to (standard; DP-SGD lives in ../privacy), and the
// layer hooks strategies and precision plugins use to see inside a model's forward pass.
export { type GradientStrategy, type StepGradients, type StrategySetup, standardGradients, standardStrategy } from './gradient-strategy';
export { type LayerCall, leafLayers, patchLayerCall, withPatchedLayers } from './layer-hooks';
